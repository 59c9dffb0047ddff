import './ops/index';
import { Coverage } from './coverage';
import { Diagnostic, internalErrorDiagnostic } from './diagnostics';
import { Model } from './ir/graph';
import { ByteSource } from './onnx/byte-source';
import { readModel } from './onnx/reader';
import { TextLayout } from './onnx/text/layout';
import { parseModelText } from './onnx/text/parser';
import { InferenceResult, inferModel, InferOptions } from './shape/engine';

/** Everything the views need about one model file: the model, inferred types, and diagnostics. */
export interface ModelAnalysis {
  readonly model: Model | null;
  readonly inference: InferenceResult | null;
  /** Reader diagnostics first, then inference diagnostics. */
  readonly diagnostics: Diagnostic[];
  /** Model definitions (PyTorch source, Hugging Face config): how much was understood. Absent for ONNX. */
  readonly coverage?: Coverage;
}

export type AnalyzeOptions = Omit<InferOptions, 'source'>;

/**
 * file bytes → graph → shapes. Never throws on model content: a model that cannot be read at all
 * yields `model: null` and an error diagnostic.
 */
export function analyzeModel(source: ByteSource, options: AnalyzeOptions = {}): ModelAnalysis {
  const read = readModel(source);
  if (read.model === null) return { model: null, inference: null, diagnostics: read.diagnostics };
  let inference: InferenceResult | null = null;
  const diagnostics = [...read.diagnostics];
  try {
    inference = inferModel(read.model, { ...options, source });
    diagnostics.push(...inference.diagnostics);
  } catch (error) {
    // The engine guards every node; reaching here is a bug in Ridgepoint, still reported, never thrown.
    diagnostics.push(internalErrorDiagnostic('shape inference', error));
  }
  return { model: read.model, inference, diagnostics };
}

/**
 * ONNX textual syntax → graph → shapes, with the layout that maps node ids to statements. Never throws:
 * syntax errors are diagnostics located by UTF-16 offset into `text`, and whatever parsed is analysed.
 */
export function analyzeText(text: string, options: AnalyzeOptions = {}): ModelAnalysis & { layout: TextLayout } {
  const parsed = parseModelText(text);
  if (parsed.model === null) return { model: null, inference: null, diagnostics: parsed.diagnostics, layout: parsed.layout };
  const diagnostics = [...parsed.diagnostics];
  let inference: InferenceResult | null = null;
  try {
    // Tensor values in text are in memory: no byte source is needed to load them.
    inference = inferModel(parsed.model, options);
    diagnostics.push(...inference.diagnostics);
  } catch (error) {
    diagnostics.push(internalErrorDiagnostic('shape inference', error));
  }
  return { model: parsed.model, inference, diagnostics, layout: parsed.layout };
}
