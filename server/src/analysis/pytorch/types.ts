/**
 * Public types of the PyTorch source frontend: what `analyzePythonSource` hands back. Positions are
 * 0-based lines and UTF-16 characters (LSP's convention), so views convert nothing.
 */
import { ModelAnalysis } from '../analyze';
import { Coverage } from '../coverage';
import { Severity } from '../diagnostics';
import { Dim } from '../ir/dim';

export interface SourcePosition {
  readonly line: number;
  readonly character: number;
}

export interface SourceRange {
  readonly start: SourcePosition;
  readonly end: SourcePosition;
  /** The file, when it is not the analysed one (a layer built in an imported module). */
  readonly path?: string;
}

/** An imported module's source, as the resolver found it; `version` changes when its text does. */
export interface PythonModuleSource {
  readonly path: string;
  readonly text: string;
  readonly version: string;
}

/** Finds imported modules' source (node side: the workspace, the package root, the Python's sys.path). */
export interface PythonModuleResolver {
  /**
   * `from ..ops.misc import X` written in /p/torchvision/models/mobilenetv2.py →
   * resolve('/p/torchvision/models/mobilenetv2.py', 'ops.misc', 2); `import torchvision.ops` →
   * resolve(from, 'torchvision.ops', 0); `from . import x` → resolve(from, 'x', 1) or, for the package
   * itself, resolve(from, '', 1). A package resolves to its `__init__.py`. null when not found.
   */
  resolve(fromPath: string, module: string, level: number): PythonModuleSource | null;
}

/** A value the static evaluation could not resolve, and how to resolve it (bind `name`). */
export interface UnresolvedName {
  readonly name: string;
  readonly reason: string;
  readonly range: SourceRange | null;
  /** A module that cannot be read: binding a number to its name means nothing, so no view offers it. */
  readonly module?: true;
}

export interface PythonDiagnostic {
  readonly severity: Severity;
  /** Stable code: `pytorch.syntax`, `pytorch.unresolved`, `pytorch.forward-fallback`, … */
  readonly code: string;
  readonly message: string;
  readonly range: SourceRange | null;
  /** The module or layer it concerns (`features.0`), by its path in the entry, when it concerns one. */
  readonly modulePath?: string;
}

/** A module built inside a class or factory: `layer1.0.conv1`, `transformer.h.3.attn.c_attn`. */
export interface LayerSummary {
  /** Path relative to the summarised module, PyTorch's `named_modules()` naming. */
  readonly path: string;
  /** Layer type: `Linear`, `Conv2d`, or a user class name. */
  readonly type: string;
  /** Where the layer was constructed. */
  readonly range: SourceRange | null;
  /** Parameters of the layer and everything under it; null when a size is unresolved. */
  readonly params: number | null;
  readonly unresolved: readonly UnresolvedName[];
}

export interface ModuleSummary {
  readonly name: string;
  readonly kind: 'class' | 'factory';
  /** The class or function definition. */
  readonly range: SourceRange;
  /** Parameters of one instance (the entry's instance when the entry builds it); null when unresolved. */
  readonly params: number | null;
  readonly layers: readonly LayerSummary[];
}

export type TorchDtype = 'float32' | 'float16' | 'bfloat16';

/** One edit of the previous text, in UTF-16 offsets of that text (as LSP's incremental sync gives it). */
export interface TextChange {
  readonly offset: number;
  readonly deletedLength: number;
  readonly insertedText: string;
}

export interface AnalyzeSourceOptions {
  /** Class or factory function to profile; default: a factory, else the top-level module class. */
  readonly entry?: string;
  /** Input shape of the first forward argument, e.g. [1, 3, 224, 224] or [batch, seq] for token models. */
  readonly input?: readonly number[] | readonly Dim[];
  /** Values for names the evaluation could not resolve (`block`, `Model.dim`), like symbolic ONNX dims. */
  readonly bindings?: ReadonlyMap<string, number>;
  readonly dtype?: TorchDtype;
  /**
   * The previous parse and the edits applied to its text since, for an incremental re-parse. The
   * previous tree is consumed: it is edited in place and freed once the new tree exists.
   */
  readonly previous?: { readonly tree: PythonTree; readonly changes: readonly TextChange[] };
  /** The file's own path, for its relative imports. */
  readonly path?: string;
  /** Reads imported modules; without it imports of other files stay opaque names, as before. */
  readonly modules?: PythonModuleResolver;
}

/** An opaque parsed tree, kept by the caller for the next incremental parse; free it with `dispose`. */
export interface PythonTree {
  readonly text: string;
  dispose(): void;
}

export interface PythonAnalysis {
  readonly modules: ModuleSummary[];
  readonly entry: string | null;
  /** The IR model built for the entry, with shapes inferred by the shared engine; null without an entry. */
  readonly analysis: ModelAnalysis | null;
  /** IR node name → where the layer is constructed (module nodes) or the forward line (functional ops). */
  readonly nodeSources: Map<string, SourceRange>;
  /** IR node name → the forward line that called it, where known. */
  readonly callSites: Map<string, SourceRange>;
  readonly unresolved: UnresolvedName[];
  readonly diagnostics: PythonDiagnostic[];
  /** How much of the entry was understood; incomplete means every total is a lower bound. */
  readonly coverage: Coverage;
  /** The parsed tree, for the next incremental parse (or `dispose()` it). */
  readonly tree: PythonTree | null;
  /** Imported files read by the analysis (re-analyse when one changes). */
  readonly dependencies?: readonly string[];
  /** Milliseconds spent parsing and analysing, for benchmarks and logs. */
  readonly timings: { readonly parseMs: number; readonly analyseMs: number };
}
