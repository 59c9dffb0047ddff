import { at } from '../../ir/at';
import { DataType } from '../../ir/dtype';
import { BuildContext, modulePath, parentModule } from './context';
import { activation, linear } from './layers';

/**
 * The feed-forward block. Gated (Llama, Mistral, Qwen2, Gemma, Phi-3): down(act(gate(x)) · up(x)),
 * with Phi-3's gate and up in one gate_up_proj split in two. Plain (GPT-2, GPT-NeoX, Falcon, Phi,
 * BERT): down(act(up(x))).
 */
export function mlp(ctx: BuildContext, layer: number, x: string): string {
  const { cfg } = ctx;
  const prefix = modulePath(cfg.names.layer, layer);
  const owner = `${prefix}.${parentModule(cfg.names.down)}`;
  const f = cfg.intermediate;
  if (cfg.mlp === 'plain') {
    const hiddenUp = linear(ctx, `${prefix}.${cfg.names.up}`, x, cfg.hidden, f, cfg.bias.mlp);
    const activated = activation(ctx, `${owner}.act`, hiddenUp);
    return linear(ctx, `${prefix}.${cfg.names.down}`, activated, f, cfg.hidden, cfg.bias.mlp);
  }
  let gate: string;
  let up: string;
  if (cfg.fusedGateUp) {
    const both = linear(ctx, `${prefix}.${cfg.names.gateUp}`, x, cfg.hidden, 2 * f, cfg.bias.mlp);
    const sizes = ctx.b.constant(`split_sizes.${f}`, DataType.INT64, [2], [f, f]);
    const parts = ctx.b.node('Split', `${prefix}.${cfg.names.gateUp}.split`, [both, sizes], { axis: -1 }, { outputs: 2 });
    [gate, up] = [parts[0], at(parts, 1, 'gate/up split')];
  } else {
    gate = linear(ctx, `${prefix}.${cfg.names.gate}`, x, cfg.hidden, f, cfg.bias.mlp);
    up = linear(ctx, `${prefix}.${cfg.names.up}`, x, cfg.hidden, f, cfg.bias.mlp);
  }
  const activated = activation(ctx, `${owner}.act_fn`, gate);
  const [gated] = ctx.b.node('Mul', `${owner}.gate_mul`, [activated, up]);
  return linear(ctx, `${prefix}.${cfg.names.down}`, gated, f, cfg.hidden, cfg.bias.mlp);
}
