import { builtinChips, Chip, findChip, parseChipsFile, suggestChips } from '../analysis/cost/chips';
import { ChipSummary } from '../protocol';
import { ServerRuntime } from './runtime';

/**
 * The chips the server offers: the built-in database plus the user's chips file
 * (`ridgepoint.chipsFile`), re-read when the setting or the file changes. Problems in the file are
 * kept as messages; the built-ins always remain available.
 */
export class ChipStore {
  private extra: Chip[] = [];
  private fileErrors: string[] = [];
  private loadedFrom: { path: string; stamp: string } | null = null;

  constructor(private readonly runtime: ServerRuntime) {}

  /** (Re)reads the chips file when its path or content changed. Returns its problems, if any changed. */
  refresh(path: string): { errors: string[]; changed: boolean } {
    if (path === '') {
      const changed = this.loadedFrom !== null;
      this.extra = [];
      this.fileErrors = [];
      this.loadedFrom = null;
      return { errors: [], changed };
    }
    const stat = this.runtime.stat(path);
    const stamp = stat ? `${stat.size}:${stat.mtimeMs}` : 'missing';
    if (this.loadedFrom && this.loadedFrom.path === path && this.loadedFrom.stamp === stamp) return { errors: this.fileErrors, changed: false };
    this.loadedFrom = { path, stamp };
    if (!stat) {
      this.extra = [];
      this.fileErrors = [`chips file ${path} (ridgepoint.chipsFile) does not exist; using the built-in chips`];
      return { errors: this.fileErrors, changed: true };
    }
    try {
      const result = parseChipsFile(this.runtime.readText(path), path);
      this.extra = result.chips;
      this.fileErrors = result.errors;
    } catch (error) {
      this.extra = [];
      this.fileErrors = [`cannot read chips file ${path}: ${error instanceof Error ? error.message : String(error)}`];
    }
    return { errors: this.fileErrors, changed: true };
  }

  get errors(): readonly string[] {
    return this.fileErrors;
  }

  all(): Chip[] {
    const ids = new Set(this.extra.map((c) => c.id));
    return [...this.extra, ...builtinChips().filter((c) => !ids.has(c.id))];
  }

  /** The chip for an id or alias; an unknown name yields H100 and a message naming the nearest ids. */
  resolve(idOrAlias: string): { chip: Chip; problem?: string } {
    const chip = findChip(idOrAlias, this.extra);
    if (chip) return { chip };
    const fallback = findChip('h100') as Chip;
    const near = suggestChips(idOrAlias, this.all());
    const hint = near.length > 0 ? ` Did you mean ${near.map((id) => `"${id}"`).join(', ')}?` : '';
    return { chip: fallback, problem: `Unknown chip "${idOrAlias}"; profiling for ${fallback.name} instead.${hint}` };
  }

  summaries(): ChipSummary[] {
    const extraIds = new Set(this.extra.map((c) => c.id));
    return this.all().map((chip) => {
      const peak = bestPeak(chip);
      return {
        id: chip.id,
        name: chip.name,
        vendor: chip.vendor,
        category: chip.category,
        aliases: chip.aliases,
        memoryBandwidthGBs: chip.memoryBandwidthGBs,
        achievableBandwidthFraction: chip.achievable.memoryBandwidth,
        memoryGB: chip.memoryGB,
        peakTFlops: peak?.value ?? null,
        peakDtype: peak?.dtype ?? null,
        origin: extraIds.has(chip.id) ? (this.loadedFrom?.path ?? 'chips file') : 'builtin',
      };
    });
  }
}

/** The headline peak users compare chips by: the best 16-bit tensor rate, else the best of anything. */
function bestPeak(chip: Chip): { value: number; dtype: string } | null {
  for (const dtype of ['bf16', 'fp16'] as const) {
    const value = chip.peaks.tensor[dtype];
    if (value !== undefined) return { value, dtype };
  }
  let best: { value: number; dtype: string } | null = null;
  for (const peaks of [chip.peaks.tensor, chip.peaks.vector]) {
    for (const [dtype, value] of Object.entries(peaks)) if (value !== undefined && (!best || value > best.value)) best = { value, dtype };
  }
  return best;
}
