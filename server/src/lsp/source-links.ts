import { URI } from 'vscode-uri';
import { bestFileMatch } from '../analysis/source-map/path-match';
import { costsForSourceFile, LineCost } from '../analysis/source-map/line-costs';
import { buildSourceIndex, indexedFileFor, SourceIndex } from '../analysis/source-map/source-index';
import { SourceFrame } from '../analysis/source-map/frame';
import { ModelRef, modelRefOf, ProfiledModel } from './models';

/**
 * ONNX nodes ↔ Python source lines, between the files of one workspace (docs/source-mapping.md).
 * PyTorch's exporters record each node's Python stack (TorchScript: `doc_string`; dynamo:
 * `metadata_props`); the core indexes them (analysis/source-map). This service finds the pairs: for an
 * ONNX node, the workspace `.py` file its frame names (matched by path suffix, since the export may have
 * been made on another machine); for a `.py` file, the workspace's exported models that name it, and the
 * cost of their nodes per line on the current chip.
 */

/** Workspace listings are re-read at most this often (files come and go while the user works). */
const LISTING_TTL_MS = 5000;
/** At most this many models are indexed for a source file, and files listed per extension. */
const MAX_MODELS = 16;
const MAX_FILES = 2000;

export interface SourceLink {
  /** Workspace file (or the recorded path itself, when it exists on this machine). */
  readonly path: string;
  /** 1-based, as Python tracebacks count. */
  readonly line: number;
  readonly frame: SourceFrame;
}

export interface ModelLineCosts {
  readonly model: ModelRef;
  readonly profiled: ProfiledModel;
  /** 1-based source line → what the model's nodes on that line cost. */
  readonly lines: ReadonlyMap<number, LineCost>;
}

export interface SourceLinkHost {
  readonly workspaceRoot: string | null;
  findFiles(root: string, extensions: readonly string[], limit: number): string[];
  stat(path: string): unknown;
  now(): number;
  /** The profile the editor's views use for this model (current chip, peak mode, bindings). */
  currentProfile(ref: ModelRef): Promise<ProfiledModel>;
}

export class SourceLinks {
  private readonly indexes = new WeakMap<ProfiledModel, SourceIndex>();
  private readonly listings = new Map<string, { at: number; files: string[] }>();

  constructor(private readonly host: SourceLinkHost) {}

  /** The source index of a profiled model (built once per profile). */
  indexOf(profiled: ProfiledModel): SourceIndex | null {
    const model = profiled.analysis.model;
    if (!model) return null;
    let index = this.indexes.get(profiled);
    if (!index) {
      index = buildSourceIndex(model, profiled.analysis.inference);
      this.indexes.set(profiled, index);
    }
    return index;
  }

  /** Where a node of an ONNX model came from, as a file to open: null when it records no user frame, or no file matches. */
  linkOf(profiled: ProfiledModel, nodeId: string): SourceLink | null {
    const frame = this.indexOf(profiled)?.nodes.get(nodeId)?.userFrame ?? null;
    if (!frame) return null;
    const match = bestFileMatch(frame.file, this.files(['.py']));
    if (match) return { path: match.file, line: frame.line, frame };
    // Exported on this machine, outside the workspace: the recorded path itself.
    if (this.host.stat(frame.file) !== undefined) return { path: frame.file, line: frame.line, frame };
    return null;
  }

  /** Every workspace model whose recorded stacks name this source file, with its per-line costs. */
  async costsForSource(sourcePath: string): Promise<ModelLineCosts[]> {
    const out: ModelLineCosts[] = [];
    for (const file of this.files(['.onnx']).slice(0, MAX_MODELS)) {
      const ref = modelRefOf(URI.file(file).toString());
      if (!ref) continue;
      let profiled: ProfiledModel;
      try {
        profiled = await this.host.currentProfile(ref);
      } catch {
        continue; // an unreadable model has no lines to offer; its own view reports why
      }
      const index = this.indexOf(profiled);
      if (!index || indexedFileFor(index, sourcePath) === null) continue;
      const lines = costsForSourceFile(index, profiled.report.nodes, sourcePath, { totalTimeSeconds: profiled.report.totals?.timeSeconds });
      if (lines.size > 0) out.push({ model: ref, profiled, lines });
    }
    return out;
  }

  private files(extensions: readonly string[]): string[] {
    const root = this.host.workspaceRoot;
    if (root === null) return [];
    const key = extensions.join(',');
    const cached = this.listings.get(key);
    const now = this.host.now();
    if (cached && now - cached.at < LISTING_TTL_MS) return cached.files;
    const files = this.host.findFiles(root, extensions, MAX_FILES);
    this.listings.set(key, { at: now, files });
    return files;
  }
}
