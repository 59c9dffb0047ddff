/**
 * One Python stack frame recorded by a PyTorch ONNX exporter, and the rule that tells the user's own
 * code from the framework's. Frame text comes from the model file, so it is untrusted: every field is
 * bounded and stripped of control characters here, once, and views escape it again for their medium.
 */

export interface SourceFrame {
  /** The path as the exporting machine wrote it (absolute, possibly from another OS). */
  readonly file: string;
  /** 1-based line number. */
  readonly line: number;
  readonly function?: string;
  /** The source line's text, when the exporter recorded it (the dynamo exporter does). */
  readonly code?: string;
}

/** Bounds on what is read from one node: a real stack is a few KiB and a few dozen frames. */
export const SOURCE_TEXT_LIMITS = {
  /** Characters of a doc_string or stack_trace looked at; the rest is ignored. */
  textChars: 256 * 1024,
  /** Longer lines are skipped: no real frame line is this long. */
  lineChars: 4096,
  frames: 256,
  fileChars: 1024,
  functionChars: 256,
  codeChars: 512,
  /** Python cannot have more lines than this in a file anyone exports from. */
  maxLineNumber: 10_000_000,
} as const;

const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g;

const HAS_CONTROL_CHARACTER = new RegExp(CONTROL_CHARACTERS.source);

/** Removes control characters and caps the length; undefined when nothing is left. */
export function cleanField(text: string, maxChars: number): string | undefined {
  // Testing first spares the copy for the usual clean field: stacks are parsed by the hundred thousand.
  const cleaned = (HAS_CONTROL_CHARACTER.test(text) ? text.replace(CONTROL_CHARACTERS, '') : text).trim();
  if (cleaned === '') return undefined;
  return cleaned.length > maxChars ? cleaned.slice(0, maxChars) : cleaned;
}

/** A frame from parsed parts, or null when the parts cannot be a real frame. */
export function makeFrame(file: string, lineText: string, functionName: string | undefined, code: string | undefined): SourceFrame | null {
  const cleanFile = cleanField(file, SOURCE_TEXT_LIMITS.fileChars);
  if (cleanFile === undefined || file.length > SOURCE_TEXT_LIMITS.fileChars) return null;
  if (!/^\d{1,9}$/.test(lineText)) return null;
  const line = Number(lineText);
  if (line < 1 || line > SOURCE_TEXT_LIMITS.maxLineNumber) return null;
  const fn = functionName === undefined ? undefined : cleanField(functionName, SOURCE_TEXT_LIMITS.functionChars);
  const text = code === undefined ? undefined : cleanField(code, SOURCE_TEXT_LIMITS.codeChars);
  return { file: cleanFile, line, ...(fn === undefined ? {} : { function: fn }), ...(text === undefined ? {} : { code: text }) };
}

/**
 * Parsed frames by the text they were parsed from. The frames of one model repeat (every Conv passes
 * through the same torch lines), so an index build shares one cache across nodes: it saves the parse
 * and stores each distinct frame once. Bounded: past the limit, new frames are parsed but not kept.
 */
export class FrameCache {
  private readonly frames = new Map<string, SourceFrame | null>();

  constructor(private readonly limit = 65_536) {}

  get(text: string, parse: () => SourceFrame | null): SourceFrame | null {
    const known = this.frames.get(text);
    if (known !== undefined) return known;
    const frame = parse();
    if (this.frames.size < this.limit) this.frames.set(text, frame);
    return frame;
  }
}

/** The bounded lines of an exporter's text, without their line terminators. */
export function boundedLines(text: string): string[] {
  const head = text.length > SOURCE_TEXT_LIMITS.textChars ? text.slice(0, SOURCE_TEXT_LIMITS.textChars) : text;
  return head.split(/\r\n|\r|\n/);
}

/** Functions of torch.nn.Module's call machinery: they sit between a caller and the module's forward. */
const MODULE_CALL_FUNCTIONS = new Set(['_call_impl', '_wrapped_call_impl', '_slow_forward']);

/** A path's segments with `\` read as `/`, so Windows paths classify like POSIX ones. */
export function pathSegments(file: string): string[] {
  return file.replace(/\\/g, '/').split('/').filter((s) => s !== '');
}

/**
 * Whether a frame is the user's code rather than the framework, the standard library or an installed
 * package. Not user code: pseudo-files (`<frozen importlib._bootstrap>`, `<string>`, `<eval_with_key>`),
 * anything under a `site-packages` or `dist-packages` folder, anything under a folder named `torch`
 * (a source checkout of PyTorch), the standard library (`lib/pythonX.Y/`), and torch.nn.Module's call
 * machinery (`_call_impl`, `_wrapped_call_impl`, `_slow_forward`).
 */
export function isUserFrame(frame: SourceFrame): boolean {
  if (frame.file.startsWith('<')) return false;
  if (frame.function !== undefined && MODULE_CALL_FUNCTIONS.has(frame.function)) return false;
  const segments = pathSegments(frame.file);
  for (let i = 0; i < segments.length - 1; i++) {
    const folder = segments[i];
    if (folder === 'site-packages' || folder === 'dist-packages' || folder === 'torch') return false;
    if (/^python\d+(\.\d+)?$/i.test(folder ?? '') && i > 0 && /^lib(64)?$/i.test(segments[i - 1] ?? '')) return false;
  }
  return true;
}

/** The frame nearest the op that is the user's code; frames are innermost first. */
export function innermostUserFrame(frames: readonly SourceFrame[]): SourceFrame | null {
  return frames.find(isUserFrame) ?? null;
}
