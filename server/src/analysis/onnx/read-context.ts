import { Diagnostic, ModelFormatError } from '../diagnostics';
import { ByteSource } from './byte-source';

/** What every step of reading a model shares: the bytes, and where problems are reported. */
export interface ReadContext {
  readonly source: ByteSource;
  readonly diagnostics: Diagnostic[];
}

/** Deepest nesting of subgraphs (If/Loop/Scan bodies) accepted. */
export const MAX_GRAPH_DEPTH = 64;

/**
 * Whether the generated protobufjs decoders gave up on nesting: they stop at `Reader.recursionLimit`
 * messages deep (100, protoc's default) with this message. A node nested that deeply is walked lazily
 * instead, where MAX_GRAPH_DEPTH is the limit.
 */
export function isDecoderDepthLimit(error: unknown): boolean {
  return error instanceof Error && error.message === 'max depth exceeded';
}

/** A read error as a located diagnostic: format errors keep their code, anything else is malformed input. */
export function toDiagnostic(error: unknown, fallbackOffset: number | undefined): Diagnostic {
  if (error instanceof ModelFormatError) {
    return { severity: 'error', code: error.code, message: error.message, location: error.offset === undefined ? undefined : { offset: error.offset } };
  }
  if ((error instanceof RangeError && /call stack/i.test(error.message)) || isDecoderDepthLimit(error)) {
    return { severity: 'error', code: 'onnx.too-deep', message: `model structure is nested too deeply to read (near byte ${fallbackOffset ?? 0})`, location: { offset: fallbackOffset } };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { severity: 'error', code: 'onnx.malformed', message: `malformed protobuf near byte ${fallbackOffset ?? 0}: ${message}`, location: { offset: fallbackOffset } };
}
