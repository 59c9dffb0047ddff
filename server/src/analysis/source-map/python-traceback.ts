import { boundedLines, FrameCache, makeFrame, SOURCE_TEXT_LIMITS, SourceFrame } from './frame';

/**
 * Python traceback text, the dynamo exporter's `pkg.torch.onnx.stack_trace` node metadata (torch ≥ 2.5).
 * The exporter copies the FX node's `meta["stack_trace"]`, which torch builds with
 * `''.join(traceback.StackSummary.from_list(frames).format()).strip()` (torch/fx/experimental/proxy_tensor.py;
 * copied in torch/onnx/_internal/exporter/_core.py `_set_node_metadata`). That is the standard format,
 * outermost frame first:
 *
 *     File "/home/me/net.py", line 23, in forward
 *         x = self.conv1(x)
 *       File "/…/torch/nn/modules/conv.py", line 554, in forward
 *         return self._conv_forward(input, self.weight, self.bias)
 *
 * Python 3.11+ may add a marker line of `^` and `~` under the code; it is skipped. The result is
 * innermost first, like every other frame list here.
 */
export function parsePythonTraceback(text: string, cache?: FrameCache): SourceFrame[] {
  const frames: SourceFrame[] = [];
  let pending: { file: string; line: string; fn: string | undefined; code: string | undefined } | null = null;
  const flush = (): void => {
    if (pending === null) return;
    const { file, line, fn, code } = pending;
    const make = (): SourceFrame | null => makeFrame(file, line, fn, code);
    const frame = cache === undefined ? make() : cache.get(`File "${file}", line ${line}, in ${fn ?? ''}\n${code ?? ''}`, make);
    if (frame !== null && frames.length < SOURCE_TEXT_LIMITS.frames) frames.push(frame);
    pending = null;
  };
  for (const raw of boundedLines(text)) {
    if (frames.length >= SOURCE_TEXT_LIMITS.frames) break;
    if (raw.length > SOURCE_TEXT_LIMITS.lineChars) {
      flush();
      continue;
    }
    const header = FRAME_HEADER.exec(raw);
    if (header !== null) {
      flush();
      pending = { file: header[1] ?? '', line: header[2] ?? '', fn: header[3], code: undefined };
    } else if (pending !== null && pending.code === undefined && raw.trim() !== '' && !CARET_LINE.test(raw)) {
      pending.code = raw.trim();
    }
  }
  flush();
  return frames.reverse();
}

/** `File "path", line N, in function` (the `, in` part is optional in hand-written traces). */
const FRAME_HEADER = /^\s*File "([^"\n]*)", line (\d{1,9})(?:, in (.*))?\s*$/;
/** The position markers Python 3.11+ prints under a frame's code. */
const CARET_LINE = /^[\s^~]+$/;
