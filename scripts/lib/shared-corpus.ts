import * as path from 'node:path';

/**
 * The shared corpus (ONNX's operator tests and real models): RIDGEPOINT_CORPUS when set (a copy kept
 * elsewhere, or a folder that does not exist to see the tests refuse to run without it), otherwise
 * `../shared/corpus` beside the checkout `root`.
 */
export function sharedCorpus(root: string): string {
  const override = process.env.RIDGEPOINT_CORPUS;
  return override !== undefined && override !== '' ? path.resolve(override) : path.resolve(root, '..', 'shared', 'corpus');
}
