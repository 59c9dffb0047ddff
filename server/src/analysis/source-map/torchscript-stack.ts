import { boundedLines, FrameCache, makeFrame, SOURCE_TEXT_LIMITS, SourceFrame } from './frame';

/**
 * The TorchScript exporter's node doc_string (`torch.onnx.export(..., verbose=True)`): the Python
 * stack at the traced op, innermost frame first, one frame per line as `path(line): function`:
 *
 *     /usr/lib/python3/dist-packages/torch/nn/modules/conv.py(459): _conv_forward
 *     /home/me/net.py(33): forward
 *
 * (torch 1.13 writes exactly this; the fixture test/fixtures/source-map/tiny_net_torchscript.onnx is a
 * real export). Lines that are not frames are skipped; the result is innermost first.
 */
export function parseTorchScriptStack(docString: string, cache?: FrameCache): SourceFrame[] {
  const frames: SourceFrame[] = [];
  for (const raw of boundedLines(docString)) {
    if (frames.length >= SOURCE_TEXT_LIMITS.frames) break;
    if (raw.length > SOURCE_TEXT_LIMITS.lineChars) continue;
    const line = raw.trim();
    const frame = cache === undefined ? parseFrameLine(line) : cache.get(line, () => parseFrameLine(line));
    if (frame !== null) frames.push(frame);
  }
  return frames;
}

/**
 * `path(line): function`. The path may itself hold parentheses (`/proj (copy)/net.py`), so the frame's
 * `(line):` is the last one on the line; the function name is whatever follows.
 */
function parseFrameLine(line: string): SourceFrame | null {
  const close = line.lastIndexOf('):');
  if (close <= 0) return null;
  const open = line.lastIndexOf('(', close);
  if (open <= 0) return null;
  const functionName = line.slice(close + 2).trim();
  return makeFrame(line.slice(0, open), line.slice(open + 1, close), functionName === '' ? undefined : functionName, undefined);
}
