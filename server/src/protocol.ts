/**
 * Ridgepoint's custom LSP protocol: the one definition shared by the language server and the VS Code
 * client (and documented for other editors in docs/protocol.md). Standard LSP features (hover, inlay
 * hints, code lenses, symbols, diagnostics) need nothing here.
 *
 * Positions are LSP positions (zero-based line, UTF-16 character) in the rendered text.
 */
import { NotificationType, Range, RequestType, RequestType0 } from 'vscode-languageserver-protocol';
import type { ChartReport, Report } from './analysis/report';
import type { CoverageSummary } from './analysis/coverage';
import type { CostTreeNode } from './analysis/cost-tree';
import type { SweepPoint } from './analysis/hf-config/summary';

/**
 * The URI scheme of the read-only text view of a binary `.onnx` file. `ridgepoint-onnx:/abs/model.onnx`
 * is the rendering of `file:///abs/model.onnx`: same path, different scheme, so the server can find the
 * file and the editor tab keeps the file's name.
 */
export const RENDER_SCHEME = 'ridgepoint-onnx';

/** The language id of ONNX textual syntax (user-written `.onnxtxt` files, and "Open as ONNX Text"). */
export const LANGUAGE_ID = 'onnxtxt';

/** The language id of the readable model view of a binary `.onnx` (`ridgepoint-onnx:` documents). */
export const VIEW_LANGUAGE_ID = 'ridgepoint-view';

export type PeakModeName = 'achievable' | 'datasheet';

// ---------------------------------------------------------------------------------------------
// ridgepoint/render

export interface RenderParams {
  /** The model: a `file:` URI of an `.onnx` file, or the `ridgepoint-onnx:` URI of its view. */
  readonly uri: string;
  /** `view` (default): the readable model view; `onnx`: the full ONNX textual syntax ("Open as ONNX Text"). */
  readonly syntax?: 'view' | 'onnx';
}

export interface NodeRange {
  /** The node id of the report (`n3`, `n3/then_branch/n0`); function bodies use `fn:<domain>::<name>/n<i>`. */
  readonly id: string;
  /** The node's whole statement. */
  readonly range: Range;
  /** The op name in the statement (where hovers and diagnostics point). */
  readonly opRange: Range;
}

export interface RenderResult {
  /**
   * The readable model view (op first, names short within their module, grouped by module), or with
   * `syntax: 'onnx'` the model in ONNX textual syntax (the format of `onnx.printer` / `onnx.parser`); weights elided.
   */
  readonly text: string;
  /** Every node's place in `text`, in text order. */
  readonly nodes: NodeRange[];
  /** Set when the model could not be read at all: `text` then is a comment saying why. */
  readonly error?: string;
}

export const RenderRequest = new RequestType<RenderParams, RenderResult, void>('ridgepoint/render');

// ---------------------------------------------------------------------------------------------
// ridgepoint/profile

export interface ProfileParams {
  /** A `file:` URI (`.onnx`, `.onnxtxt`) or a `ridgepoint-onnx:` view URI. */
  readonly uri: string;
  /** Chip id or alias; omitted = the `ridgepoint.chip` setting. */
  readonly chip?: string;
  /** Symbolic dim bindings; merged over `ridgepoint.dims` and the document's own bindings. */
  readonly bindings?: Record<string, number>;
  readonly peakMode?: PeakModeName;
  /**
   * Suggestions in the report: true waits for them (up to a second on a 5,000-node model), false leaves
   * them out, omitted includes them when they are already computed.
   */
  readonly suggestions?: boolean;
  /**
   * 'chart' (for views that draw the report, like the roofline panel) leaves out what a chart does not
   * show: node tensors keep only dtype and shape (`name` and `source` are ''), and node notes are absent.
   * On a 5,000-node model that is a third of the message. Omitted = 'full'.
   */
  readonly detail?: 'full' | 'chart';
}

/** The JSON report of the CLI (docs/report-schema.md), for the chip asked. */
export type ProfileResult = Report;

export const ProfileRequest = new RequestType<ProfileParams, ProfileResult, void>('ridgepoint/profile');
/** The same request with `detail: 'chart'`: its nodes are ChartNode (the fields the roofline panel reads, tensors as text). */
export const ChartProfileRequest = new RequestType<ProfileParams & { readonly detail: 'chart' }, ChartReport, void>('ridgepoint/profile');

// ---------------------------------------------------------------------------------------------
// ridgepoint/chips

export interface ChipSummary {
  readonly id: string;
  readonly name: string;
  readonly vendor: string;
  readonly category: string;
  readonly aliases: readonly string[];
  /** Datasheet bandwidth, GB/s (the figure vendors quote). */
  readonly memoryBandwidthGBs: number;
  /** The measured achievable fraction of it that the `achievable` peak mode times with; null when unknown (then 1). */
  readonly achievableBandwidthFraction?: number | null;
  readonly memoryGB: number;
  /** The highest dense tensor-unit peak and its dtype (TFLOP/s or TOP/s), or the vector peak when the chip has no tensor unit. */
  readonly peakTFlops: number | null;
  readonly peakDtype: string | null;
  /** `builtin` or the path of the user's chips file. */
  readonly origin: string;
}

export interface ChipsResult {
  readonly chips: ChipSummary[];
  /** Problems in the user's chips file (`ridgepoint.chipsFile`), one message each. */
  readonly errors: string[];
}

export const ChipsRequest = new RequestType0<ChipsResult, void>('ridgepoint/chips');

// ---------------------------------------------------------------------------------------------
// ridgepoint/bindings: symbolic dims a document leaves unbound, and setting them

export interface UnboundDimsParams {
  readonly uri: string;
}

/** Where a model's input uses a symbolic dim: the bind prompt says `x: [N, 3, H, W] → H (axis 2)`. */
export interface DimUse {
  readonly input: string;
  readonly axis: number;
  /** The input's declared shape, e.g. `[N, 3, H, W]`. */
  readonly shape: string;
}

export interface ModelDim {
  readonly name: string;
  /** Its current binding (null = unbound). */
  readonly value: number | null;
  /** Where the model's graph inputs use it; empty for model definitions (.py, config.json). */
  readonly uses?: readonly DimUse[];
  /** The one-click default ("Use batch 1 and the model's example sizes"): null when only the user can say. */
  readonly suggested?: number | null;
  /** `batch`: a batch dim, 1; `model`: a size the model records itself (metadata, value_info). */
  readonly suggestedFrom?: 'batch' | 'model' | null;
}

export interface UnboundDimsResult {
  /** Every symbolic dim of the model's inputs, with its current binding (null = unbound). */
  readonly dims: ModelDim[];
}

export const UnboundDimsRequest = new RequestType<UnboundDimsParams, UnboundDimsResult, void>('ridgepoint/dims');

export interface SetBindingsParams {
  readonly uri: string;
  /** Replaces the document's own bindings (settings' `ridgepoint.dims` still apply underneath). */
  readonly bindings: Record<string, number>;
}

export const SetBindingsNotification = new NotificationType<SetBindingsParams>('ridgepoint/setBindings');

// ---------------------------------------------------------------------------------------------
// ridgepoint/profiled: the server tells the client a document's current totals (status bar)

export interface ProfiledParams {
  readonly uri: string;
  readonly chip: string;
  readonly chipName: string;
  /** Predicted time of one model run, seconds; null when nothing could be profiled. */
  readonly totalSeconds: number | null;
  /** The band of `totalSeconds` (the ops' calibration bands summed); absent from older servers. */
  readonly totalLowSeconds?: number;
  readonly totalHighSeconds?: number;
  /** False when some op class had no calibration on the chip (its band is the ×0.5–×2 default). */
  readonly rangeCalibrated?: boolean;
  readonly memoryBoundShare: number | null;
  /** Share of the time that is the fixed per-kernel cost (`totals.overheadSeconds / timeSeconds`); absent or null when not costed. */
  readonly launchShare?: number | null;
  /** How kernels are issued (`eager`, `cuda-graphs`, `compiled`); absent: eager. */
  readonly runtime?: string;
  readonly unboundDims: readonly string[];
  /**
   * How many suggestions the profile has, null while they are not computed yet. The server computes
   * them in the background when idle and then sends this notification again.
   */
  readonly suggestions?: number | null;
  /**
   * A model definition's coverage (a PyTorch source with an nn.Module, a Hugging Face config); absent or
   * null for ONNX. Incomplete: the time is a lower bound, and the Problems panel says what is missing.
   */
  readonly coverage?: CoverageSummary | null;
}

export const ProfiledNotification = new NotificationType<ProfiledParams>('ridgepoint/profiled');

/** Client commands the server refers to (code lenses). */
export const Commands = {
  profileForH100: 'ridgepoint.profileForH100',
  profileForChip: 'ridgepoint.profileForChip',
  bindDims: 'ridgepoint.bindDims',
  /** Binds every unbound dim to its default (batch 1, the model's example sizes) and asks only for the rest. */
  bindDefaultDims: 'ridgepoint.bindDefaultDims',
  showRoofline: 'ridgepoint.showRoofline',
  /** A decoder config.json's decode batch sweep: tokens/s and step time against batch, in a panel. */
  showDecodeSweep: 'ridgepoint.showDecodeSweep',
  exportReport: 'ridgepoint.exportReport',
  restartServer: 'ridgepoint.restartServer',
  pickChip: 'ridgepoint.pickChip',
  revealNode: 'ridgepoint.revealNode',
  showSuggestion: 'ridgepoint.showSuggestion',
  applyWhatIf: 'ridgepoint.applyWhatIf',
  copyRecipe: 'ridgepoint.copyRecipe',
  /** Ctrl+. in the read-only model view (where VS Code's own Quick Fix is disabled): the code actions of the cursor's line in a list. */
  quickFix: 'ridgepoint.quickFix',
  importMeasured: 'ridgepoint.importMeasured',
  setPythonInput: 'ridgepoint.setPythonInput',
  setPythonEntry: 'ridgepoint.setPythonEntry',
  traceWithPython: 'ridgepoint.traceWithPython',
  cancelTrace: 'ridgepoint.cancelTrace',
  openOnnxText: 'ridgepoint.openOnnxText',
} as const;

// ---------------------------------------------------------------------------------------------
// ridgepoint/setSourceOptions: what a PyTorch source (.py) is profiled as

export interface SetSourceOptionsParams {
  readonly uri: string;
  /** The class or factory function to profile; null = the default (a factory, else the top module). */
  readonly entry?: string | null;
  /** Input shape text (`1x3x224x224`, `batch x seq`); null = the `ridgepoint.pytorch.input` setting. */
  readonly input?: string | null;
}

export const SetSourceOptionsNotification = new NotificationType<SetSourceOptionsParams>('ridgepoint/setSourceOptions');

// ---------------------------------------------------------------------------------------------
// ridgepoint/environment and ridgepoint/trace: traced mode (runs the user's Python; trusted workspaces only)

export interface EnvironmentParams {
  /** VS Code's workspace trust (`vscode.workspace.isTrusted`); sent again when trust is granted. Until then: untrusted. */
  readonly trusted: boolean;
  /** The interpreter the Python extension (ms-python.python) has selected, when it is installed. */
  readonly pythonExecutable?: string;
}

export const EnvironmentNotification = new NotificationType<EnvironmentParams>('ridgepoint/environment');

export interface TraceParams {
  readonly uri: string;
  /** `start` traces the saved file now (code lens "Trace with Python"); `cancel` stops a running trace. */
  readonly action: 'start' | 'cancel';
  /** With `start`: the entry to trace (and profile) from now on, any Python expression in the file's scope. */
  readonly entry?: string;
}

export const TraceNotification = new NotificationType<TraceParams>('ridgepoint/trace');

// ---------------------------------------------------------------------------------------------
// ridgepoint/setMeasured: join an ONNX Runtime profile (measured mode) to a model's reports

export interface SetMeasuredParams {
  readonly uri: string;
  /** Path of an ONNX Runtime profile JSON (`enableProfiling`); null stops joining one. */
  readonly path: string | null;
}

export interface SetMeasuredResult {
  /** Why the profile cannot be used (unreadable, malformed); empty when it was joined. */
  readonly errors: readonly string[];
  /** Nodes of the model joined to a kernel, and of those the ones the statistics compare. */
  readonly matched: number;
  readonly compared: number;
  readonly notes: readonly string[];
}

export const SetMeasuredRequest = new RequestType<SetMeasuredParams, SetMeasuredResult, void>('ridgepoint/setMeasured');

// ---------------------------------------------------------------------------------------------
// ridgepoint/whatIf: re-profile as if a suggestion were applied (the model file is never changed)

export interface WhatIfParams {
  readonly uri: string;
  /** 'chart': the what-if report's nodes as the chart reads them (ChartReport), as `ridgepoint/profile`'s detail. */
  readonly detail?: 'full' | 'chart';
  /** A suggestion id from the current profile (`report.suggestions[].id`, a diagnostic's code). */
  readonly suggestion: string;
}

export interface WhatIfResult {
  /** The suggestion, as in the report (kind, nodes, message, detail, saving, recipe…). */
  readonly suggestion: NonNullable<Report['suggestions']>[number];
  /** The report as if applied: same model, chip and bindings; null when it cannot be re-profiled. */
  readonly report: Report | ChartReport | null;
  /** The current report, for before/after. */
  readonly baseline: Report;
}

export const WhatIfRequest = new RequestType<WhatIfParams, WhatIfResult | null, void>('ridgepoint/whatIf');

// ---------------------------------------------------------------------------------------------
// ridgepoint/costTree: where the time goes by module (the side bar's "Cost by Module")

export interface CostTreeParams {
  /** A model URI: an `.onnx` file or its view, an `.onnxtxt`, a `.py`, a config.json (`#decode` for the decode step). */
  readonly uri: string;
}

export interface CostTreeResult {
  /** The model's module hierarchy with time, share, FLOPs, bytes and bound per row (analysis/cost-tree.ts); null when nothing was costed. */
  readonly root: CostTreeNode | null;
  readonly chipName: string;
  /** Why the times are not the whole model (`not costed: bind batch, height`, `incomplete: 13 of 16 layers, see Problems`); null when they are. */
  readonly incomplete: string | null;
  /**
   * Models whose file is their text, by node id: where each row's reveal node is. A `.py`: the line that
   * builds its layer (in an imported file for layers built there); an `.onnxtxt`: the node's statement.
   * Absent for a binary model (`ridgepoint.revealNode` selects the node in its view) and a config.json.
   */
  readonly sources?: Readonly<Record<string, { readonly uri: string; readonly range: Range }>>;
}

export const CostTreeRequest = new RequestType<CostTreeParams, CostTreeResult, void>('ridgepoint/costTree');

// ---------------------------------------------------------------------------------------------
// ridgepoint/llmSweep: a decoder config.json's decode batch sweep (the "Decode sweep" chart)

export interface LlmSweepParams {
  /** A config.json's URI (a `#decode` fragment is ignored: the sweep is of the decode step either way). */
  readonly uri: string;
}

/** The decode sweep of a decoder on the current chip and serving settings (analysis/hf-config/summary.ts). */
export interface DecodeSweep {
  /** config.json's model_type (`llama`). */
  readonly modelType: string;
  /** The chip's name (`NVIDIA H100 SXM5 80GB`). */
  readonly chip: string;
  /** `w16a16 (fp16 weights, fp16 activations) · KV cache fp16`. */
  readonly precision: string;
  readonly gpus: number;
  /** `TP 2 · PP 1`: how the GPUs share the model (empty on one GPU). */
  readonly layout: string;
  readonly prompt: number;
  readonly generated: number;
  /** Batch 1, 2, 4, …: each step's time, tokens/s, bound, and whether it fits in memory. */
  readonly points: readonly SweepPoint[];
  /** Smallest decode batch whose weight MatMuls are compute-bound; null when not within `searchedUpTo`. */
  readonly projectionsComputeBoundBatch: number | null;
  readonly searchedUpTo: number;
  /** Largest batch whose weights, full-context KV cache and activations fit per GPU; 0: the weights alone do not; null: no limit. */
  readonly maxBatchThatFits: number | null;
}

export interface LlmSweepResult {
  /** Null when there is no sweep to draw, and `reason` says why (not a decoder, nothing costed…). */
  readonly sweep: DecodeSweep | null;
  readonly reason: string | null;
}

export const LlmSweepRequest = new RequestType<LlmSweepParams, LlmSweepResult, void>('ridgepoint/llmSweep');
