/**
 * A recorded trace (ridgepoint_trace.py's JSON) → the IR `Model` its aten ops amount to → the shared
 * analysis (`inferModel`; costs, roofline, advice and report downstream are the ONNX path's). Parameters
 * become initializers with dims and no bytes, and the model states its exact parameter count (buffers
 * are inputs too, but not parameters). Every recorded output's shape is declared, and a disagreement
 * between the shape engine and torch is reported: that would mean a mapping here is wrong. An aten op
 * with no mapping is never dropped silently: it is a located diagnostic and the result is incomplete.
 */
import '../ops/index';
import { ModelAnalysis } from '../analyze';
import { at } from '../ir/at';
import { DataType } from '../ir/dtype';
import { AttributeValue, Model, Node, ValueInfo } from '../ir/graph';
import { TensorInfo } from '../ir/tensor';
import { toAttribute } from '../pytorch/graph-builder';
import { SourceRange } from '../pytorch/types';
import { PARAMETERS_METADATA } from '../ir/weights';
import { inferModel } from '../shape/engine';
import { AtenContext, AttributeInit, mapperFor, NO_TENSOR_OPS } from './aten-ops';
import { TraceArg, TraceFrame, TraceOp, TraceSuccess, TraceTensor, isTraceTensor } from './trace-format';

export const OPSET = 23;

/** Where an IR node comes from in the user's code: a file (any of the user's) and a line range. */
export interface TraceLocation {
  readonly path: string;
  readonly range: SourceRange;
}

export interface TraceDiagnostic {
  readonly severity: 'error' | 'warning' | 'info';
  readonly code: string;
  readonly message: string;
  readonly location: TraceLocation | null;
}

export interface TraceGraph {
  readonly analysis: ModelAnalysis;
  /** IR node → the layer's construction line (torch's own layers) or the line of the user's code that ran it. */
  readonly nodeLocations: Map<string, TraceLocation>;
  /** IR node → the line of the user's code that ran it (forward). */
  readonly callLocations: Map<string, TraceLocation>;
  /** IR node → the nn.Module path whose forward ran it ('' for the root). */
  readonly nodeModules: Map<string, string>;
  readonly diagnostics: TraceDiagnostic[];
  /** aten ops with no mapping: op name → how many times it ran and where first. */
  readonly unmapped: Map<string, { count: number; location: TraceLocation | null; module: string }>;
  /** Recorded shapes the shape engine inferred differently (a mapping bug if ever non-zero). */
  readonly shapeMismatches: number;
  readonly parameterCount: number;
}

const DTYPES: Record<string, DataType> = {
  float32: DataType.FLOAT,
  float16: DataType.FLOAT16,
  bfloat16: DataType.BFLOAT16,
  float64: DataType.DOUBLE,
  int64: DataType.INT64,
  int32: DataType.INT32,
  int16: DataType.INT16,
  int8: DataType.INT8,
  uint8: DataType.UINT8,
  bool: DataType.BOOL,
  complex64: DataType.COMPLEX64,
  complex128: DataType.COMPLEX128,
};

export function dataTypeOf(dtype: string): DataType {
  return DTYPES[dtype] ?? DataType.FLOAT;
}

export function frameRange(line: number): SourceRange {
  const l = Math.max(0, line - 1);
  return { start: { line: l, character: 0 }, end: { line: l, character: 0 } };
}

function locationOf(frame: TraceFrame | undefined): TraceLocation | null {
  return frame ? { path: frame.file, range: frameRange(frame.line) } : null;
}

function flatTensors(arg: TraceArg, depth = 0): TraceTensor[] {
  if (isTraceTensor(arg)) return [arg];
  if (Array.isArray(arg) && depth < 4) return (arg as TraceArg[]).flatMap((a) => flatTensors(a, depth + 1));
  return [];
}

/** The IR graph under construction: values by trace number, nodes, initializers, names. */
class TraceEmitter {
  readonly nodes: Node[] = [];
  readonly initializers: TensorInfo[] = [];
  readonly valueInfo: ValueInfo[] = [];
  readonly nodeLocations = new Map<string, TraceLocation>();
  readonly callLocations = new Map<string, TraceLocation>();
  readonly nodeModules = new Map<string, string>();
  private readonly values = new Map<number, string>();
  private readonly initialized = new Set<string>();
  private readonly names = new Set<string>();
  private counter = 0;
  /** Declared type of each op output (recorded by torch), checked against inference afterwards. */
  readonly recorded = new Map<string, TraceTensor>();

  constructor(private readonly siteOf: (op: TraceOp) => TraceLocation | null) {}

  bindInput(t: TraceTensor, name: string): void {
    this.values.set(t.t, name);
  }

  bind(t: TraceTensor, name: string): void {
    this.values.set(t.t, name);
    this.recorded.set(name, t);
  }

  private initializer(name: string, dims: readonly number[], dtype: string): string {
    if (!this.initialized.has(name)) {
      this.initialized.add(name);
      this.initializers.push({ name, dims, dtype: dataTypeOf(dtype), data: { kind: 'empty' } });
    }
    return name;
  }

  /** A tensor's IR value: produced earlier, a parameter or buffer (initializer), or made before tracing. */
  value(t: TraceTensor): string {
    const known = this.values.get(t.t);
    if (known !== undefined) return known;
    const name = this.initializer(t.param ?? t.buffer ?? `tensor:${t.t}`, t.shape, t.dtype);
    this.values.set(t.t, name);
    return name;
  }

  constTensor(dims: readonly number[], dtype: string): string {
    return this.initializer(`const:${this.counter++}`, dims, dtype);
  }

  private uniqueName(base: string): string {
    let name = base;
    for (let i = 1; this.names.has(name); i++) name = `${base}#${i}`;
    this.names.add(name);
    return name;
  }

  node(op: TraceOp, opType: string, inputs: readonly string[], attributes: AttributeInit, outputCount: number): string[] {
    const module = op.module === undefined || op.module === '' ? 'model' : op.module;
    const name = this.uniqueName(`${module}/${opType}`);
    const outputs = Array.from({ length: outputCount }, (_, i) => (outputCount === 1 ? `${name}:out` : `${name}:out${i}`));
    const attrs = new Map<string, AttributeValue>();
    for (const [key, v] of Object.entries(attributes)) attrs.set(key, toAttribute(v));
    this.nodes.push({ name, opType, domain: '', overload: '', inputs, outputs, attributes: attrs, docString: '', metadata: new Map([['aten', `${op.op}.${op.overload}`]]) });
    this.nodeModules.set(name, op.module ?? '');
    const site = this.siteOf(op);
    if (site) this.nodeLocations.set(name, site);
    const call = locationOf(op.frame);
    if (call) this.callLocations.set(name, call);
    return outputs;
  }

  /** A node with one output: that output's name. */
  private nodeOutput(op: TraceOp, opType: string, inputs: readonly string[], attributes: AttributeInit): string {
    return at(this.node(op, opType, inputs, attributes, 1), 0, `${opType} outputs`);
  }

  constInts(op: TraceOp, values: readonly number[]): string {
    return this.nodeOutput(op, 'Constant', [], { value_ints: values });
  }

  constInt(op: TraceOp, value: number): string {
    return this.nodeOutput(op, 'Constant', [], { value_int: value });
  }

  /** A Python scalar as a 0-d initializer of the other operand's type (its value is never needed for costs). */
  scalar(dtype: string): string {
    return this.constTensor([], dtype);
  }
}

/** Builds and analyses the IR model of a successful trace. Never throws on trace content. */
export function traceToGraph(trace: TraceSuccess): TraceGraph {
  const diagnostics: TraceDiagnostic[] = [];
  const modules = new Map(trace.modules.map((m) => [m.path, m]));
  // torch's own layers (Conv2d, Linear) are shown on the line that built them, like the static frontend;
  // anything else on the line of the user's code that ran it.
  const siteOf = (op: TraceOp): TraceLocation | null => {
    const m = op.module !== undefined ? modules.get(op.module) : undefined;
    if (m?.builtin && m.site) return locationOf(m.site);
    return locationOf(op.frame);
  };
  const emitter = new TraceEmitter(siteOf);
  const inputName = 'input';
  emitter.bindInput(trace.input, inputName);
  const unmapped = new Map<string, { count: number; location: TraceLocation | null; module: string }>();
  for (const op of trace.ops) {
    const outputs = flatTensors(op.out);
    if (NO_TENSOR_OPS.has(op.op) || (outputs.length === 0 && !op.op.endsWith('_'))) continue;
    const mapper = mapperFor(op);
    let produced: Array<string | undefined> | null = null;
    const ctx: AtenContext = {
      op,
      outputs,
      arg: (i, name) => (i < op.args.length ? op.args[i] : name !== undefined ? op.kwargs[name] : undefined),
      value: (t) => emitter.value(t),
      operand: (arg, dtype) => (isTraceTensor(arg) ? emitter.value(arg) : emitter.scalar(dtype)),
      constInts: (values) => emitter.constInts(op, values),
      constInt: (value) => emitter.constInt(op, value),
      constTensor: (dims, dtype) => emitter.constTensor(dims, dtype),
      node: (opType, inputs, attributes = {}, outputCount = 1) => emitter.node(op, opType, inputs, attributes, outputCount),
    };
    if (mapper) {
      try {
        produced = mapper(ctx);
      } catch {
        produced = null;
      }
    }
    if (produced === null) {
      const key = `${op.op}.${op.overload}`;
      const seen = unmapped.get(key);
      if (seen) seen.count++;
      else unmapped.set(key, { count: 1, location: locationOf(op.frame), module: op.module ?? '' });
      // The graph stays connected: each output becomes a constant of its recorded shape and type.
      outputs.forEach((o) => emitter.bind(o, emitter.constTensor(o.shape, o.dtype)));
      continue;
    }
    outputs.forEach((o, i) => {
      const v = produced?.[i];
      if (v !== undefined) emitter.bind(o, v);
    });
  }
  for (const [key, u] of unmapped) {
    diagnostics.push({ severity: 'error', code: 'trace.unmapped-op', message: `${key} (${u.count}× in ${u.module || 'the model'}) has no cost mapping in Ridgepoint: its work is missing from the totals`, location: u.location });
  }
  const outputNames = trace.outputs.flatMap((o) => flatTensors(o)).map((t) => ({ name: emitter.value(t), t }));
  const parameterCount = trace.parameters.reduce((sum, p) => sum + p.shape.reduce((a, b) => a * b, 1), 0);
  // Every parameter counts, used by forward or not (an unused head still has weights).
  for (const p of trace.parameters) emitter.value({ t: -1 - emitter.initializers.length, shape: p.shape, dtype: p.dtype, param: p.name });
  const info = (name: string, t: TraceTensor | null): ValueInfo => ({ name, type: { kind: 'tensor', dtype: t ? dataTypeOf(t.dtype) : null, shape: t ? t.shape : null } });
  const model: Model = {
    irVersion: 10,
    opsets: new Map([['', OPSET]]),
    producerName: 'ridgepoint-pytorch-trace',
    producerVersion: trace.torch,
    domain: '',
    modelVersion: 1,
    docString: '',
    graph: {
      name: trace.entry,
      nodes: emitter.nodes,
      inputs: [info(inputName, trace.input)],
      outputs: outputNames.map((o) => info(o.name, null)),
      valueInfo: [...emitter.recorded].map(([name, t]) => info(name, t)),
      initializers: emitter.initializers,
      sparseInitializers: [],
      metadata: new Map(),
    },
    functions: [],
    metadata: new Map([[PARAMETERS_METADATA, String(parameterCount)]]),
  };
  const inference = inferModel(model);
  const shapeMismatches = checkShapes(inference, emitter.recorded, diagnostics, emitter.nodeLocations);
  return { analysis: { model, inference, diagnostics: [...inference.diagnostics] }, nodeLocations: emitter.nodeLocations, callLocations: emitter.callLocations, nodeModules: emitter.nodeModules, diagnostics, unmapped, shapeMismatches, parameterCount };
}

/** Compares inferred output shapes with torch's; each disagreement is a warning on the node's line. */
function checkShapes(inference: ModelAnalysis['inference'], recorded: ReadonlyMap<string, TraceTensor>, diagnostics: TraceDiagnostic[], locations: ReadonlyMap<string, TraceLocation>): number {
  let mismatches = 0;
  for (const record of inference?.nodes ?? []) {
    for (const out of record.outputs) {
      const expected = recorded.get(out.name);
      if (!expected || out.source === 'declared') continue;
      const shape = out.type?.kind === 'tensor' ? out.type.shape : null;
      const same = shape !== null && shape.length === expected.shape.length && shape.every((d, i) => d === expected.shape[i]);
      if (same) continue;
      mismatches++;
      if (mismatches <= 5) diagnostics.push({ severity: 'warning', code: 'trace.shape-mismatch', message: `${record.node.name} (${record.node.metadata.get('aten') ?? record.node.opType}): torch gave [${expected.shape.join(', ')}], Ridgepoint's ${record.node.opType} inferred ${shape ? `[${shape.join(', ')}]` : 'an unknown shape'}; its cost may be off`, location: locations.get(record.node.name) ?? null });
    }
  }
  return mismatches;
}
