/**
 * How the view spells the parts of a line: value lists, attributes, types. Lines stay short: long
 * names are elided in the middle and long lists after a few items (the full model is one command away:
 * "Open as ONNX Text").
 */
import { Node } from '../../ir/graph';
import { TensorInfo } from '../../ir/tensor';
import { ValueType } from '../../ir/types';
import { attributeValueText, dimText } from '../text/printer-values';
import { primitiveTypeName } from '../text/syntax';
import { isDefaultAttribute } from './attribute-defaults';
import { elideMiddle } from './names';

/** The op column: op types this long or shorter line up (Transpose, Unsqueeze, Softmax; longer ones push their line). */
export const OP_COLUMN = 14;
/** Longest value or node name printed whole. */
export const MAX_NAME = 40;
const MAX_LIST_ITEMS = 5;
const MAX_ATTRIBUTE = 36;
const MAX_ATTRIBUTES_TEXT = 60;

/** `a, b, c` with items elided; `…+3` for the ones left out. */
export function listText(items: readonly string[]): string {
  const shown = items.slice(0, MAX_LIST_ITEMS).map((item) => (item === '' ? '∅' : elideMiddle(item, MAX_NAME)));
  if (items.length > MAX_LIST_ITEMS) shown.push(`…+${items.length - MAX_LIST_ITEMS}`);
  return shown.join(', ');
}

/**
 * `axis=1 kernel_shape=[3,3]`: the attributes that are not graphs or defaults, each cut to a readable length, and
 * as many as fit MAX_ATTRIBUTES_TEXT (then `…`).
 */
export function attributesText(node: Node): string {
  let text = '';
  for (const [name, value] of node.attributes) {
    if (value.type === 'graph' || value.type === 'graphs') continue;
    if (node.domain === '' && isDefaultAttribute(node.opType, name, value)) continue;
    const printed = attributeValueText(value, 8);
    if (printed === undefined) continue;
    const compact = value.type === 'ints' || value.type === 'floats' ? printed.text.replace(/,\s+/g, ',') : printed.text.replace(/\s+/g, ' ');
    const part = `${name}=${elideMiddle(compact, MAX_ATTRIBUTE)}`;
    if (text.length + part.length + 1 > MAX_ATTRIBUTES_TEXT) return `${text} …`;
    text = text === '' ? part : `${text} ${part}`;
  }
  return text;
}

/** `float[batch, 3, 224, 224]`; `?` for a type the model does not give. */
export function valueTypeText(type: ValueType | null): string {
  if (type === null) return '?';
  switch (type.kind) {
    case 'tensor': {
      const elem = primitiveTypeName(type.dtype) ?? '?';
      if (type.shape === null) return `${elem}[…]`;
      return type.shape.length === 0 ? elem : `${elem}[${type.shape.map(dimText).join(', ')}]`;
    }
    case 'sequence':
      return `seq(${valueTypeText(type.elem)})`;
    case 'optional':
      return `optional(${valueTypeText(type.elem)})`;
    case 'map':
      return `map(${primitiveTypeName(type.keyType) ?? '?'}, ${valueTypeText(type.valueType)})`;
  }
}

/** `float[64, 3, 7, 7]`. */
export function tensorShapeText(tensor: TensorInfo): string {
  const elem = primitiveTypeName(tensor.dtype) ?? '?';
  return tensor.dims.length === 0 ? elem : `${elem}[${tensor.dims.join(', ')}]`;
}

export function padRight(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}
