import { at } from '../ir/at';
import { humanBytes, humanTime } from '../../format/units';
import { fusesElementwise, kernelOverheadSeconds } from '../cost/runtime';
import { AdviceContext, listLines, lowerConfidence } from './context';
import { Confidence, Suggestion, SuggestionPart } from './types';
import { WhatIf } from './whatif';

/**
 * Fusion suggestions: chains a compiler or runtime runs as one kernel, found by pattern, each priced by
 * a 'fuse' what-if (intermediates neither written nor read back, one kernel overhead). Patterns are
 * tried in order and a node belongs to at most one group, so the patterns never double-count.
 */
interface FusionPattern {
  readonly name: string;
  /** Finds the groups (node indices, graph order) and the nodes whose cost disappears when folded. */
  find(ctx: AdviceContext, claimed: Set<number>): { groups: number[][]; folded: number[] };
  readonly confidence: Confidence;
  message(count: number, savedText: string): string;
  readonly recipe: string;
}

/** Elementwise ops a GEMM/conv epilogue or a pointwise kernel absorbs. */
const ELEMENTWISE = new Set([
  'Add', 'Sub', 'Mul', 'Div', 'Pow', 'Sqrt', 'Exp', 'Log', 'Neg', 'Abs', 'Relu', 'LeakyRelu', 'PRelu', 'Elu', 'Selu', 'Celu',
  'Sigmoid', 'HardSigmoid', 'Tanh', 'Erf', 'Gelu', 'FastGelu', 'BiasGelu', 'QuickGelu', 'HardSwish', 'Swish', 'Mish', 'Softplus',
  'Clip', 'Cast', 'Where', 'Reciprocal', 'Min', 'Max',
]);

const ACTIVATIONS = new Set(['Relu', 'LeakyRelu', 'PRelu', 'Elu', 'Selu', 'Celu', 'Sigmoid', 'HardSigmoid', 'Tanh', 'Erf', 'Gelu', 'FastGelu', 'QuickGelu', 'HardSwish', 'Swish', 'Mish', 'Softplus', 'Clip']);

const GEMM_LIKE = new Set(['MatMul', 'Gemm', 'Conv', 'ConvTranspose', 'FusedMatMul', 'FusedConv']);

/** Usable in a group: runs a kernel in the baseline and is not in another group yet. */
function free(ctx: AdviceContext, claimed: ReadonlySet<number>, i: number | null | undefined): i is number {
  return i !== null && i !== undefined && !claimed.has(i) && ctx.runs(i);
}

/** The sole reader of node i's output, skipping Casts (which join the group), when it has one of `ops`. */
function next(ctx: AdviceContext, claimed: ReadonlySet<number>, i: number, ops: ReadonlySet<string>, path: number[]): number | null {
  let at = i;
  const casts: number[] = [];
  for (let hop = 0; hop < 4; hop++) {
    const r = ctx.soleReader(ctx.outputName(at));
    if (!free(ctx, claimed, r)) return null;
    if (ops.has(ctx.opType(r))) {
      path.push(...casts);
      return r;
    }
    if (ctx.opType(r) !== 'Cast') return null;
    casts.push(r);
    at = r;
  }
  return null;
}

/** True when input `slot` of node i is a scalar or a weight (a scale, an epsilon, a gamma). */
function constantInput(ctx: AdviceContext, i: number, slot: number): boolean {
  const v = ctx.node(i).cost.record.inputs[slot];
  if (!v) return false;
  if (ctx.isWeight(v) || v.value !== undefined) return true;
  const p = ctx.producerOf.get(v.name);
  return p !== undefined && !ctx.runs(p);
}

/**
 * Grows a group downstream through elementwise readers. A reader joins only when every other input it
 * has is a constant, a graph input, made inside the group, or made before the group started: then the
 * fused kernel can never wait on its own output.
 */
function growElementwise(ctx: AdviceContext, claimed: ReadonlySet<number>, group: number[], limit = 12): void {
  const inGroup = new Set(group);
  const start = Math.min(...group);
  const executions = ctx.node(at(group, 0, 'fusion group')).cost.executions;
  let grew = true;
  while (grew && group.length < limit) {
    grew = false;
    for (const member of [...group]) {
      for (const o of ctx.node(member).cost.record.outputs) {
        if (!o.name || ctx.graphOutputs.has(o.name)) continue;
        for (const r of ctx.readers.get(o.name) ?? []) {
          if (inGroup.has(r) || !free(ctx, claimed, r) || !ELEMENTWISE.has(ctx.opType(r)) || ctx.node(r).cost.executions !== executions) continue;
          const safe = ctx.node(r).cost.record.inputs.every((inp) => {
            if (!inp) return true;
            const p = ctx.producerOf.get(inp.name);
            return p === undefined || inGroup.has(p) || p < start || !ctx.runs(p);
          });
          if (!safe) continue;
          group.push(r);
          inGroup.add(r);
          grew = true;
        }
      }
    }
  }
  group.sort((a, b) => a - b);
}

const CONV_BATCHNORM: FusionPattern = {
  name: 'conv-batchnorm',
  confidence: 'high',
  find(ctx, claimed) {
    const groups: number[][] = [];
    const folded: number[] = [];
    ctx.nodes.forEach((_, i) => {
      if (!free(ctx, claimed, i) || (ctx.opType(i) !== 'Conv' && ctx.opType(i) !== 'ConvTranspose')) return;
      const bn = ctx.soleReader(ctx.outputName(i));
      if (!free(ctx, claimed, bn) || ctx.opType(bn) !== 'BatchNormalization' || ctx.inputName(bn, 0) !== ctx.outputName(i)) return;
      // Folding needs constant statistics: scale, bias, mean and variance must be weights.
      if (![1, 2, 3, 4].every((slot) => constantInput(ctx, bn, slot))) return;
      const group = [i, bn];
      growElementwise(ctx, claimed, group);
      group.forEach((g) => claimed.add(g));
      groups.push(group);
      folded.push(bn);
    });
    return { groups, folded };
  },
  message: (count, saved) => `Fold BatchNormalization into the preceding Conv in ${count} place${count === 1 ? '' : 's'} (and run the activation in the Conv's epilogue): ${saved}`,
  recipe:
    'ONNX Runtime folds Conv+BatchNormalization at every optimisation level from ORT_ENABLE_BASIC (ConvBNFusion) and fuses the activation at ORT_ENABLE_EXTENDED (sess_options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED); TensorRT folds BatchNorm and fuses Conv+ReLU on import; or fold before export: torch.ao.quantization.fuse_modules / model.eval() with torch.onnx.export(do_constant_folding=True), or onnxoptimizer\'s fuse_bn_into_conv.',
};

/** MatMul → (Div|Mul by a constant)? → (Add mask | Where)? → Softmax → MatMul. */
const ATTENTION: FusionPattern = {
  name: 'attention',
  confidence: 'high',
  find(ctx, claimed) {
    const groups: number[][] = [];
    ctx.nodes.forEach((_, i) => {
      if (!free(ctx, claimed, i) || ctx.opType(i) !== 'MatMul' || ctx.isWeight(ctx.node(i).cost.record.inputs[1])) return;
      const group = [i];
      let at = i;
      let step = next(ctx, claimed, at, new Set(['Div', 'Mul', 'Add', 'Where', 'Softmax']), group);
      if (step !== null && (ctx.opType(step) === 'Div' || ctx.opType(step) === 'Mul')) {
        if (!constantInput(ctx, step, 1) && !constantInput(ctx, step, 0)) return;
        group.push(step);
        at = step;
        step = next(ctx, claimed, at, new Set(['Add', 'Where', 'Softmax']), group);
      }
      if (step !== null && (ctx.opType(step) === 'Add' || ctx.opType(step) === 'Where')) {
        group.push(step);
        at = step;
        step = next(ctx, claimed, at, new Set(['Softmax']), group);
      }
      if (step === null || ctx.opType(step) !== 'Softmax') return;
      group.push(step);
      const pv = next(ctx, claimed, step, new Set(['MatMul']), group);
      if (pv === null) return;
      const probabilities = ctx.node(pv).cost.record.inputs[0]?.name;
      const fed = ctx.node(step).cost.record.outputs[0]?.name; // the Softmax, the group's last member
      if (probabilities !== fed) return;
      group.push(pv);
      group.sort((a, b) => a - b);
      group.forEach((g) => claimed.add(g));
      groups.push(group);
    });
    return { groups, folded: [] };
  },
  message: (count, saved) => `Unfused attention (MatMul → Softmax → MatMul writes the full score matrix) in ${count} place${count === 1 ? '' : 's'}: a fused attention kernel never materialises it: ${saved}`,
  recipe:
    'ONNX Runtime: python -m onnxruntime.transformers.optimizer --input model.onnx --output model_opt.onnx --model_type bert (fuses into Attention / MultiHeadAttention; ORT_ENABLE_EXTENDED fuses the common BERT pattern too); TensorRT 8.6+ fuses multi-head attention (Myelin); PyTorch: torch.nn.functional.scaled_dot_product_attention (FlashAttention / memory-efficient kernels), which torch.compile also uses.',
};

/** ReduceMean → Sub → (Cast)? → Pow → ReduceMean → Add → Sqrt → Div → (Mul → Add)? */
const LAYERNORM: FusionPattern = {
  name: 'layernorm',
  confidence: 'high',
  find(ctx, claimed) {
    const groups: number[][] = [];
    ctx.nodes.forEach((_, mean) => {
      if (!free(ctx, claimed, mean) || ctx.opType(mean) !== 'ReduceMean') return;
      const x = ctx.inputName(mean, 0);
      const centred = (ctx.readers.get(ctx.outputName(mean)) ?? []).find((r) => ctx.opType(r) === 'Sub' && ctx.inputName(r, 0) === x && free(ctx, claimed, r));
      if (centred === undefined) return;
      const group = [mean, centred];
      // The centred value feeds both the variance (Pow) and the normalisation (Div), possibly through a Cast.
      const users = new Set<number>();
      const casts: number[] = [];
      for (const r of ctx.readersOfOutput(centred)) {
        if (ctx.opType(r) === 'Cast' && free(ctx, claimed, r)) {
          casts.push(r);
          ctx.readersOfOutput(r).forEach((u) => users.add(u));
        } else users.add(r);
      }
      const square = [...users].find((u) => (ctx.opType(u) === 'Pow' && constantInput(ctx, u, 1)) || (ctx.opType(u) === 'Mul' && ctx.inputName(u, 0) === ctx.inputName(u, 1)));
      const divide = [...users].find((u) => ctx.opType(u) === 'Div');
      if (!free(ctx, claimed, square) || !free(ctx, claimed, divide)) return;
      group.push(...casts, square);
      const variance = next(ctx, claimed, square, new Set(['ReduceMean']), group);
      if (variance === null) return;
      group.push(variance);
      const epsilon = next(ctx, claimed, variance, new Set(['Add']), group);
      if (epsilon === null || !constantInput(ctx, epsilon, 1)) return;
      group.push(epsilon);
      const root = next(ctx, claimed, epsilon, new Set(['Sqrt']), group);
      if (root === null || ctx.inputName(divide, 1) !== ctx.outputName(root)) return;
      group.push(root, divide);
      const scale = next(ctx, claimed, divide, new Set(['Mul']), group);
      if (scale !== null && (constantInput(ctx, scale, 1) || constantInput(ctx, scale, 0))) {
        group.push(scale);
        const shift = next(ctx, claimed, scale, new Set(['Add']), group);
        if (shift !== null && (constantInput(ctx, shift, 1) || constantInput(ctx, shift, 0))) group.push(shift);
      }
      const members = [...new Set(group)].sort((a, b) => a - b);
      members.forEach((g) => claimed.add(g));
      groups.push(members);
    });
    return { groups, folded: [] };
  },
  message: (count, saved) => `LayerNorm written out as separate ops (ReduceMean → Sub → Pow → ReduceMean → Add → Sqrt → Div → Mul → Add) in ${count} place${count === 1 ? '' : 's'}: one LayerNormalization kernel: ${saved}`,
  recipe:
    'ONNX Runtime fuses it into LayerNormalization at ORT_ENABLE_EXTENDED (LayerNormFusion: sess_options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED); or re-export with opset_version=17 or later, where torch.onnx.export emits LayerNormalization; TensorRT 8.6+ and torch.compile fuse it too.',
};

/** (Cast)? → Pow(2) → ReduceMean → Add(eps) → Sqrt → (Div | Reciprocal → Mul) → (Mul gamma)? */
const RMSNORM: FusionPattern = {
  name: 'rmsnorm',
  confidence: 'high',
  find(ctx, claimed) {
    const groups: number[][] = [];
    ctx.nodes.forEach((_, square) => {
      if (!free(ctx, claimed, square)) return;
      const isSquare = (ctx.opType(square) === 'Pow' && constantInput(ctx, square, 1)) || (ctx.opType(square) === 'Mul' && ctx.inputName(square, 0) === ctx.inputName(square, 1));
      if (!isSquare) return;
      const x = ctx.inputName(square, 0);
      const group = [square];
      const mean = next(ctx, claimed, square, new Set(['ReduceMean']), group);
      if (mean === null) return;
      group.push(mean);
      const epsilon = next(ctx, claimed, mean, new Set(['Add']), group);
      if (epsilon === null || !constantInput(ctx, epsilon, 1)) return;
      group.push(epsilon);
      const root = next(ctx, claimed, epsilon, new Set(['Sqrt']), group);
      if (root === null) return;
      group.push(root);
      let normalised: number | null = null;
      const after = next(ctx, claimed, root, new Set(['Div', 'Reciprocal']), group);
      if (after !== null && ctx.opType(after) === 'Div' && ctx.inputName(after, 0) === x) normalised = after;
      else if (after !== null && ctx.opType(after) === 'Reciprocal') {
        const mul = next(ctx, claimed, after, new Set(['Mul']), group);
        if (mul !== null && (ctx.inputName(mul, 0) === x || ctx.inputName(mul, 1) === x)) {
          group.push(after);
          normalised = mul;
        }
      }
      if (normalised === null) return;
      group.push(normalised);
      const gamma = next(ctx, claimed, normalised, new Set(['Mul']), group);
      if (gamma !== null && (constantInput(ctx, gamma, 1) || constantInput(ctx, gamma, 0))) group.push(gamma);
      const members = [...new Set(group)].sort((a, b) => a - b);
      members.forEach((g) => claimed.add(g));
      groups.push(members);
    });
    return { groups, folded: [] };
  },
  message: (count, saved) => `RMSNorm written out as separate ops (Pow → ReduceMean → Add → Sqrt → Div → Mul) in ${count} place${count === 1 ? '' : 's'}: one fused RMSNorm kernel: ${saved}`,
  recipe:
    'ONNX Runtime fuses it into SimplifiedLayerNormalization at ORT_ENABLE_EXTENDED (SimplifiedLayerNormFusion); opset 23 has RMSNormalization for a new export; TensorRT and torch.compile fuse the pattern too.',
};

/** MatMul → (scale)? → Softmax, when no second MatMul follows (that is attention). */
const MATMUL_SOFTMAX: FusionPattern = {
  name: 'matmul-softmax',
  confidence: 'low',
  find(ctx, claimed) {
    const groups: number[][] = [];
    ctx.nodes.forEach((_, i) => {
      if (!free(ctx, claimed, i) || (ctx.opType(i) !== 'MatMul' && ctx.opType(i) !== 'Gemm')) return;
      const group = [i];
      let step = next(ctx, claimed, i, new Set(['Div', 'Mul', 'Softmax']), group);
      if (step !== null && ctx.opType(step) !== 'Softmax') {
        if (!constantInput(ctx, step, 1) && !constantInput(ctx, step, 0)) return;
        group.push(step);
        step = next(ctx, claimed, step, new Set(['Softmax']), group);
      }
      if (step === null) return;
      group.push(step);
      const members = [...new Set(group)].sort((a, b) => a - b);
      members.forEach((g) => claimed.add(g));
      groups.push(members);
    });
    return { groups, folded: [] };
  },
  message: (count, saved) => `Softmax right after a MatMul in ${count} place${count === 1 ? '' : 's'}: computing it in the GEMM's epilogue saves writing and re-reading the logits: ${saved}`,
  recipe: 'TensorRT (Myelin) and torch.compile can fuse a row-wise softmax into the GEMM when a row fits one tile; ONNX Runtime has no general MatMul+Softmax fusion, so this one depends on the backend.',
};

/** MatMul/Gemm/Conv followed by bias, activation or other elementwise ops. */
const EPILOGUE: FusionPattern = {
  name: 'epilogue',
  confidence: 'high',
  find(ctx, claimed) {
    const groups: number[][] = [];
    ctx.nodes.forEach((_, i) => {
      if (!free(ctx, claimed, i) || !GEMM_LIKE.has(ctx.opType(i))) return;
      const group = [i];
      growElementwise(ctx, claimed, group);
      if (group.length < 2) return;
      group.forEach((g) => claimed.add(g));
      groups.push(group);
    });
    return { groups, folded: [] };
  },
  message: (count, saved) => `Elementwise ops (bias, activation, scaling) after a MatMul/Gemm/Conv in ${count} place${count === 1 ? '' : 's'}: run them in the GEMM/conv epilogue: ${saved}`,
  recipe:
    'ONNX Runtime at ORT_ENABLE_EXTENDED fuses MatMul+Add into Gemm, Conv/Gemm + activation (FusedConv, FusedGemm), bias+GELU (BiasGelu, FastGelu); TensorRT fuses pointwise epilogues into the GEMM/conv; torch.compile (Inductor) fuses pointwise ops into the matmul epilogue with max-autotune.',
};

/** A bias Add followed by an activation, where no GEMM precedes it (otherwise it is an epilogue). */
const BIAS_ACTIVATION: FusionPattern = {
  name: 'bias-activation',
  confidence: 'high',
  find(ctx, claimed) {
    const groups: number[][] = [];
    ctx.nodes.forEach((_, i) => {
      if (!free(ctx, claimed, i) || ctx.opType(i) !== 'Add' || !(constantInput(ctx, i, 0) || constantInput(ctx, i, 1))) return;
      const activation = ctx.soleReader(ctx.outputName(i));
      if (!free(ctx, claimed, activation) || !ACTIVATIONS.has(ctx.opType(activation))) return;
      const group = [i];
      growElementwise(ctx, claimed, group);
      if (group.length < 2) return;
      group.forEach((g) => claimed.add(g));
      groups.push(group);
    });
    return { groups, folded: [] };
  },
  message: (count, saved) => `Bias add and activation as separate kernels in ${count} place${count === 1 ? '' : 's'}: one pointwise kernel: ${saved}`,
  recipe: 'ONNX Runtime at ORT_ENABLE_EXTENDED (BiasGelu, BiasSoftmax, FastGelu fusions); TensorRT and torch.compile fuse pointwise chains.',
};

const PATTERNS: readonly FusionPattern[] = [CONV_BATCHNORM, ATTENTION, LAYERNORM, RMSNORM, MATMUL_SOFTMAX, EPILOGUE, BIAS_ACTIVATION];

export function fuseSuggestions(ctx: AdviceContext, notes: string[]): Suggestion[] {
  const claimed = new Set<number>();
  const suggestions: Suggestion[] = [];
  const runtime = ctx.options.runtime ?? 'eager';
  for (const pattern of PATTERNS) {
    try {
      const found = pattern.find(ctx, claimed);
      // Under a compiling runtime a group the baseline already runs as one kernel is no advice at all.
      const groups = fusesElementwise(runtime) ? found.groups.filter((g) => kernelsOf(ctx, g).size > 1) : found.groups;
      if (groups.length < found.groups.length) {
        const skipped = found.groups.length - groups.length;
        notes.push(`fuse (${pattern.name}): ${skipped} group${skipped === 1 ? '' : 's'} already fused by the ${runtime} runtime`);
      }
      if (groups.length === 0) continue;
      const kept = new Set(groups.flat());
      const suggestion = priceFusion(ctx, pattern, groups, found.folded.filter((i) => kept.has(i)));
      if (suggestion) suggestions.push(suggestion);
    } catch (error) {
      notes.push(`fuse (${pattern.name}): skipped, ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return suggestions;
}

/** The baseline kernels a group's running members belong to: a node's own id, or the kernel a compiling runtime fused it into. */
function kernelsOf(ctx: AdviceContext, group: readonly number[]): Set<string> {
  return new Set(group.filter((i) => ctx.runs(i)).map((i) => ctx.node(i).fusedInto ?? ctx.id(i)));
}

function priceFusion(ctx: AdviceContext, pattern: FusionPattern, groups: number[][], folded: number[]): Suggestion | null {
  const whatIf: WhatIf = { kind: 'fuse', groups: groups.map((g) => g.map((i) => ctx.id(i))), ...(folded.length ? { folded: folded.map((i) => ctx.id(i)) } : {}) };
  const evaluation = ctx.evaluate(whatIf);
  if (evaluation === null || evaluation.savingSeconds <= 0) return null;
  const applied = new Map(evaluation.result.appliedGroups.map((g) => [g.id, g]));
  const parts: SuggestionPart[] = [];
  const lines: string[] = [];
  for (const group of groups) {
    const kernel = applied.get(ctx.id(at(group, 0, 'fusion group')));
    if (!kernel) continue;
    const before = ctx.figures(group);
    const after = { timeSeconds: kernel.timeSeconds, bytes: kernel.bytes, intensity: kernel.bytes > 0 ? kernel.flops / kernel.bytes : null };
    parts.push({ nodes: kernel.nodes, before, after });
    lines.push(`${group.map((i) => `${ctx.id(i)} ${ctx.opType(i)}`).join(' → ')}: ${humanTime(before.timeSeconds)} → ${humanTime(after.timeSeconds)}, ${humanBytes(before.bytes)} → ${humanBytes(after.bytes)}`);
  }
  const members = groups.flat();
  const before = ctx.figures(members);
  const after = { timeSeconds: before.timeSeconds - evaluation.savingSeconds, bytes: before.bytes - evaluation.bytesSaved, intensity: null as number | null };
  const flops = members.reduce((s, i) => s + ctx.node(i).cost.executions * ctx.node(i).cost.cost.flops, 0) - folded.reduce((s, i) => s + ctx.node(i).cost.executions * ctx.node(i).cost.cost.flops, 0);
  after.intensity = after.bytes > 0 ? flops / after.bytes : null;
  // Launch overhead is a floor, not a measurement: a saving made mostly of removed launches is less certain.
  // Under a compiling runtime several members may already share a kernel: count kernels, not nodes.
  const kernelsBefore = groups.reduce((sum, g) => sum + kernelsOf(ctx, g).size, 0);
  const kernelsRemoved = kernelsBefore - groups.length;
  const launchSeconds = kernelOverheadSeconds(ctx.options.chip, ctx.options.runtime ?? 'eager');
  const overheadSaved = kernelsRemoved * launchSeconds;
  const confidence = overheadSaved > 0.5 * evaluation.savingSeconds ? lowerConfidence(pattern.confidence) : pattern.confidence;
  const total = ctx.baseline.totals.timeSeconds;
  const savedText = `${humanTime(evaluation.savingSeconds)} (${((evaluation.savingSeconds / total) * 100).toFixed(1)}% of ${humanTime(total)}) and ${humanBytes(evaluation.bytesSaved)} of traffic per run on ${ctx.options.chip.name}`;
  const detail = [
    `${groups.length} group${groups.length === 1 ? '' : 's'}, ${members.length} nodes: ${humanTime(before.timeSeconds)} and ${humanBytes(before.bytes)} as separate kernels, ${humanTime(after.timeSeconds)} and ${humanBytes(after.bytes)} fused.`,
    `Model total ${humanTime(total)} → ${humanTime(evaluation.result.totals.timeSeconds)}.`,
    ...(folded.length ? [`Folded: ${folded.length} BatchNormalization node(s) are absorbed into the Conv weights and bias at export, so their arithmetic and traffic disappear.`] : []),
    ...(fusesElementwise(ctx.options.runtime) && kernelsBefore < members.filter((i) => ctx.runs(i)).length
      ? [`Under the ${ctx.options.runtime} runtime these nodes already run as ${kernelsBefore} kernel${kernelsBefore === 1 ? '' : 's'} (elementwise chains fused into their producers): fusing them removes ${kernelsRemoved} launch${kernelsRemoved === 1 ? '' : 'es'}, and the saving counts only what the runtime leaves unfused.`]
      : []),
    ...(overheadSaved > 0.5 * evaluation.savingSeconds ? [`Most of the saving (${humanTime(overheadSaved)}) is kernel launches removed (${humanTime(launchSeconds)} each on this chip, ${ctx.options.runtime ?? 'eager'}), which varies with the runtime.`] : []),
    'Assumes each group runs as one kernel: intermediates stay on chip, each outside input is read once, arithmetic times add up.',
    ...listLines(lines),
  ].join('\n');
  return {
    id: `fuse:${pattern.name}`,
    kind: 'fuse',
    pattern: pattern.name,
    nodes: members.map((i) => ctx.id(i)),
    message: pattern.message(groups.length, savedText),
    detail,
    predictedSavingSeconds: evaluation.savingSeconds,
    bytesSaved: evaluation.bytesSaved,
    energySavedJoules: evaluation.energySavedJoules,
    confidence,
    whatIf,
    recipe: pattern.recipe,
    before,
    after,
    parts,
  };
}
