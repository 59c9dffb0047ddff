/** Where ridgepoint_trace.py is: dist/python/ next to the bundle, else the source tree (tests, tsx). */
import * as fs from 'node:fs';
import * as path from 'node:path';

export const TRACE_SCRIPT = 'ridgepoint_trace.py';

export function traceScriptPath(): string {
  const candidates = [path.join(__dirname, 'python', TRACE_SCRIPT), path.join(__dirname, '..', '..', 'python', TRACE_SCRIPT), path.join(__dirname, '..', 'python', TRACE_SCRIPT)];
  return candidates.find((c) => fs.existsSync(c)) ?? (candidates[0] as string);
}
