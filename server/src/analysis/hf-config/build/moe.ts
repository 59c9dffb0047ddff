import { DataType } from '../../ir/dtype';
import { BuildContext, modulePath, parentModule } from './context';
import { activation, linear } from './layers';

/**
 * A sparse mixture-of-experts block (Mixtral's block_sparse_moe): a router (MatMul to E logits,
 * Softmax, TopK k, renormalise), then each token's hidden state goes to its k experts, each a gated
 * MLP (w1 gate, w3 up, w2 down), and the k outputs are weighted and summed.
 *
 * Which experts run is data-dependent; the cost model needs static shapes. With N = batch·tokens
 * routed this step and routing assumed uniform, the expected number of distinct experts touched is
 * D = E·(1 − (1 − k/E)^N): one token touches k, a long prefill touches all E. The graph has D expert
 * subgraphs (D rounded to the nearest integer, within [k, min(E, N·k)]) sharing the N·k token-slots
 * as evenly as integers allow, so the FLOPs are exactly those of N·k expert-token pairs and the
 * weight traffic is that of D experts: at decode batch 1 two experts' weights are read, not eight.
 * All E experts' weights are initializers (the memory holds them all); untouched ones are read by no
 * node. Dispatch is a Gather of each expert's rows (its token indices are a stand-in constant), the
 * combine a Concat, the routing-weight Mul and a ReduceSum over the k slots.
 */
export function expectedExpertsTouched(experts: number, perToken: number, tokens: number): number {
  const exact = experts * (1 - Math.pow(1 - perToken / experts, tokens));
  return Math.min(experts, tokens * perToken, Math.max(perToken, Math.round(exact)));
}

/**
 * The experts one rank holds and runs. Whole model (ep = 1): all E, N·k slots over the expected D.
 * Under expert parallelism each of `ep` ranks holds E / ep whole experts; the step waits for the
 * busiest rank, which with routing spread evenly gets ⌈N·k / ep⌉ of the slots, over the expected
 * number of its own experts those touch (the same 1 − (1 − k/E)^N share of its E / ep).
 */
export function expertShare(experts: number, perToken: number, tokens: number, ep: number): { held: number; touched: number; slots: number } {
  if (ep <= 1) return { held: experts, touched: expectedExpertsTouched(experts, perToken, tokens), slots: tokens * perToken };
  const held = experts / ep;
  const slots = Math.ceil((tokens * perToken) / ep);
  const expected = held * (1 - Math.pow(1 - perToken / experts, tokens));
  return { held, touched: Math.min(held, slots, Math.max(1, Math.round(expected))), slots };
}

/** N·k token-slots over D experts: the first (N·k mod D) get one more. */
export function tokensPerExpert(slots: number, experts: number): number[] {
  const base = Math.floor(slots / experts);
  const extra = slots % experts;
  return Array.from({ length: experts }, (_, j) => base + (j < extra ? 1 : 0));
}

export function moe(ctx: BuildContext, layer: number, x: string): string {
  const { cfg, b } = ctx;
  const experts = cfg.experts;
  if (experts === null) throw new Error('moe() called for a dense model');
  const prefix = modulePath(cfg.names.layer, layer);
  const owner = `${prefix}.${parentModule(cfg.names.router)}`;
  const tokens = ctx.batch * ctx.seq;
  const k = experts.perToken;
  // The router stays unquantised (AutoAWQ's modules_to_not_convert: ["gate"]).
  const logits = linear(ctx, `${prefix}.${cfg.names.router}`, x, cfg.hidden, experts.count, false, 'param', false);
  const [probs] = b.node('Softmax', `${owner}.softmax`, [logits], { axis: -1 });
  const kConst = b.constant(`moe.k`, DataType.INT64, [1], [k]);
  const [topWeights] = b.node('TopK', `${owner}.topk`, [probs, kConst], { axis: -1 }, { outputs: 2 });
  const lastAxis = b.constant('moe.axes_last', DataType.INT64, [1], [-1]);
  const [weightSum] = b.node('ReduceSum', `${owner}.routing_sum`, [topWeights, lastAxis], { keepdims: 1 });
  const [routing] = b.node('Div', `${owner}.routing_normalise`, [topWeights, weightSum]);

  const flatShape = b.constant(`moe.shape_tokens.${tokens}`, DataType.INT64, [2], [tokens, cfg.hidden]);
  const [flat] = b.node('Reshape', `${owner}.flatten`, [x, flatShape]);
  const local = expertShare(experts.count, k, tokens, ctx.shard.ep);
  const shares = tokensPerExpert(local.slots, local.touched);
  const outputs: string[] = [];
  for (let j = 0; j < local.held; j++) {
    const module = `${prefix}.${modulePath(cfg.names.expert, layer, j)}`;
    if (j >= local.touched) {
      // Held in memory, read by no node this step.
      for (const [w, dims] of [
        ['w1', [cfg.hidden, cfg.intermediate]],
        ['w3', [cfg.hidden, cfg.intermediate]],
        ['w2', [cfg.intermediate, cfg.hidden]],
      ] as const) b.weight(`${module}.${w}.weight`, dims, ctx.dtype, 'expert');
      continue;
    }
    const rows = shares[j] ?? 0;
    const indices = b.constant(`moe.token_indices.${rows}`, DataType.INT64, [rows], new Array<number>(rows).fill(0));
    const [routed] = b.node('Gather', `${module}.dispatch`, [flat, indices], { axis: 0 });
    const gate = linear(ctx, `${module}.w1`, routed, cfg.hidden, cfg.intermediate, false, 'expert');
    const up = linear(ctx, `${module}.w3`, routed, cfg.hidden, cfg.intermediate, false, 'expert');
    const activated = activation(ctx, `${module}.act_fn`, gate);
    const [gated] = b.node('Mul', `${module}.gate_mul`, [activated, up]);
    outputs.push(linear(ctx, `${module}.w2`, gated, cfg.intermediate, cfg.hidden, false, 'expert'));
  }
  const [onlyOutput] = outputs;
  let [combined] = outputs.length === 1 && onlyOutput !== undefined ? [onlyOutput] : b.node('Concat', `${owner}.combine`, outputs, { axis: 0 });
  if (local.slots !== tokens * k) {
    // Expert parallel: the all-to-all (costed on the link by serving/parallel.ts) returns every slot of
    // this rank's tokens; the buffer it lands in is written here.
    const all = b.constant(`moe.slot_indices.${tokens * k}`, DataType.INT64, [tokens * k], new Array<number>(tokens * k).fill(0));
    [combined] = b.node('Gather', `${owner}.all_to_all_combine`, [combined, all], { axis: 0 });
  }
  const slotShape = b.constant(`moe.shape_slots.${tokens * k}`, DataType.INT64, [2], [tokens * k, 1]);
  const [slotWeights] = b.node('Reshape', `${owner}.routing_flatten`, [routing, slotShape]);
  const [weighted] = b.node('Mul', `${owner}.routing_weight`, [combined, slotWeights]);
  const perTokenShape = b.constant(`moe.shape_per_token.${tokens}`, DataType.INT64, [3], [tokens, k, cfg.hidden]);
  const [perToken] = b.node('Reshape', `${owner}.unflatten`, [weighted, perTokenShape]);
  const slotAxis = b.constant('moe.axes_slots', DataType.INT64, [1], [1]);
  const [summed] = b.node('ReduceSum', `${owner}.combine_sum`, [perToken, slotAxis], { keepdims: 0 });
  const outShape = b.constant(`moe.shape_out.${ctx.batch}x${ctx.seq}`, DataType.INT64, [3], [ctx.batch, ctx.seq, cfg.hidden]);
  return b.node('Reshape', `${owner}.output`, [summed, outShape])[0];
}
