/**
 * Matching a path recorded on the exporting machine to a file in this workspace. The exporter writes
 * absolute paths (`/home/alice/proj/models/net.py`, `C:\Users\bob\proj\models\net.py`) that rarely
 * exist here, so the rule is the longest common path suffix:
 *
 * 1. Both paths are normalised: `\` is read as `/`, a `file://` prefix and a drive letter are dropped,
 *    `.` and `..` segments are resolved, empty segments removed.
 * 2. Segments are compared from the end. The score is the number of trailing segments that are equal;
 *    0 (no match) unless at least the file names are equal.
 * 3. Comparison is case-insensitive when either path is a Windows path (a drive letter or a `\`),
 *    case-sensitive otherwise.
 * 4. Among several candidates the highest score wins; a tie at the top is ambiguous and matches none,
 *    since guessing would show one file's costs on another.
 */

/** A path as its normalised segments: `C:\a\.\b\..\c.py` → `['a', 'c.py']`. */
export function normalisedSegments(path: string): string[] {
  const slashed = path.replace(/\\/g, '/').replace(/^file:\/\//i, '');
  const out: string[] = [];
  slashed.split('/').forEach((segment, index) => {
    if (segment === '' || segment === '.') return;
    if (index === 0 && /^[A-Za-z]:$/.test(segment)) return;
    if (segment === '..') out.pop();
    else out.push(segment);
  });
  return out;
}

/** The normalised path as one string (`/`-separated), the key files are indexed under. */
export function normalisePath(path: string): string {
  const segments = normalisedSegments(path);
  const absolute = /^([\\/]|[A-Za-z]:[\\/]|file:\/\/)/i.test(path);
  return `${absolute ? '/' : ''}${segments.join('/')}`;
}

/** `normalisePath` with its results kept: a model's frames name few distinct files, many times over. */
export function normaliserWithMemory(): (path: string) => string {
  const results = new Map<string, string>();
  return (path) => {
    let result = results.get(path);
    if (result === undefined) {
      result = normalisePath(path);
      results.set(path, result);
    }
    return result;
  };
}

function isWindowsPath(path: string): boolean {
  return path.includes('\\') || /^[A-Za-z]:/.test(path);
}

/** How many trailing path segments `frameFile` and `workspaceFile` share (rule above); 0 = no match. */
export function matchSourceFile(frameFile: string, workspaceFile: string): number {
  const a = normalisedSegments(frameFile);
  const b = normalisedSegments(workspaceFile);
  const foldCase = isWindowsPath(frameFile) || isWindowsPath(workspaceFile);
  const same = (x: string | undefined, y: string | undefined): boolean => x !== undefined && y !== undefined && (foldCase ? x.toLowerCase() === y.toLowerCase() : x === y);
  let shared = 0;
  while (shared < a.length && shared < b.length && same(a[a.length - 1 - shared], b[b.length - 1 - shared])) shared++;
  return shared;
}

export interface FileMatch {
  readonly file: string;
  /** Trailing segments shared with the path asked about. */
  readonly segments: number;
}

/** The candidate that shares the longest path suffix with `path`; null when none matches or the best is tied. */
export function bestFileMatch(path: string, candidates: Iterable<string>): FileMatch | null {
  let best: FileMatch | null = null;
  let tied = false;
  for (const candidate of candidates) {
    const segments = matchSourceFile(path, candidate);
    if (segments === 0) continue;
    if (best === null || segments > best.segments) {
      best = { file: candidate, segments };
      tied = false;
    } else if (segments === best.segments && normalisePath(candidate) !== normalisePath(best.file)) {
      tied = true;
    }
  }
  return tied ? null : best;
}
