/**
 * Readers for the ONNX backend tests' data files (test_data_set_N/input_0.pb, output_0.pb): a bare
 * TensorProto, or a SequenceProto / OptionalProto of tensors. Only the shape oracle (test/corpus/oracle.ts)
 * reads them; they walk tensors with the reader's own wire walk, so payloads are located, not copied.
 */
import { Diagnostic } from '../../server/src/analysis/diagnostics';
import { TensorInfo } from '../../server/src/analysis/ir/tensor';
import { ByteSource } from '../../server/src/analysis/onnx/byte-source';
import { ReadContext, toDiagnostic } from '../../server/src/analysis/onnx/read-context';
import { walkTensor } from '../../server/src/analysis/onnx/walk-tensor';
import { WireCursor, WireType } from '../../server/src/analysis/onnx/wire';

/** Reads a standalone TensorProto file, never throwing: returns the tensor, or a diagnostic. */
export function readTensorFile(source: ByteSource): { tensor?: TensorInfo; diagnostic?: Diagnostic } {
  const ctx: ReadContext = { source, diagnostics: [] };
  try {
    return { tensor: walkTensor(ctx, new WireCursor(source, 0, source.size), 0) };
  } catch (error) {
    return { diagnostic: toDiagnostic(error, 0) };
  }
}

/** Element tensors of a SequenceProto (field 3, tensor_values) or OptionalProto (field 3, tensor_value). */
export function readTensorContainer(source: ByteSource): { elemType: number; tensors: TensorInfo[]; diagnostic?: Diagnostic } {
  const ctx: ReadContext = { source, diagnostics: [] };
  const tensors: TensorInfo[] = [];
  let elemType = 0;
  try {
    const cur = new WireCursor(source, 0, source.size);
    while (!cur.done) {
      const { field, wireType } = cur.tag();
      if (field === 2 && wireType === WireType.Varint) elemType = cur.varint();
      else if (field === 3 && wireType === WireType.LengthDelimited) {
        const at = cur.pos;
        const sub = cur.sub(cur.length());
        tensors.push(walkTensor(ctx, sub, at));
        cur.pos = sub.end;
      } else cur.skip(wireType);
    }
    return { elemType, tensors };
  } catch (error) {
    return { elemType, tensors, diagnostic: toDiagnostic(error, 0) };
  }
}
