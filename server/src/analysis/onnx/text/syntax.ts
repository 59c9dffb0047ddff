/**
 * Vocabulary shared by the printer and the parser: which names print bare, how others are quoted,
 * the element type and attribute type keywords, and number formatting that reads back exactly.
 */
import { DataType, dataTypeName, isKnownDataType } from '../../ir/dtype';
import { isFloatWord } from './lexer';

/** Element type keywords (PrimitiveTypeNameMap): the canonical lower-case names, no aliases. */
const PRIMITIVE_TYPES = new Map<string, DataType>();
for (let code = 1; code <= 64; code++) if (isKnownDataType(code)) PRIMITIVE_TYPES.set(dataTypeName(code), code);

export function primitiveType(word: string): DataType | undefined {
  return PRIMITIVE_TYPES.get(word);
}

/** Element type name for printing; undefined for a code the syntax has no keyword for. */
export function primitiveTypeName(dtype: DataType | null): string | undefined {
  if (dtype === null) return undefined;
  const name = dataTypeName(dtype);
  return PRIMITIVE_TYPES.get(name) === dtype ? name : undefined;
}

/** Type constructors (KeyWordMap): a value name spelled like one would be read as a type. */
const TYPE_KEYWORDS = new Set(['seq', 'map', 'optional', 'sparse_tensor', 'opaque']);

export function startsType(word: string): boolean {
  return PRIMITIVE_TYPES.has(word) || TYPE_KEYWORDS.has(word);
}

/** AttributeProto.AttributeType names used in `name: ints = [...]` annotations. */
export const ATTRIBUTE_TYPES = ['float', 'int', 'string', 'tensor', 'graph', 'sparse_tensor', 'type_proto', 'floats', 'ints', 'strings', 'tensors', 'graphs', 'sparse_tensors', 'type_protos'] as const;
export type AttributeTypeName = (typeof ATTRIBUTE_TYPES)[number];

export function isAttributeTypeName(word: string): word is AttributeTypeName {
  return (ATTRIBUTE_TYPES as readonly string[]).includes(word);
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * A name prints bare when onnx.printer's IsValidIdentifier accepts it ([A-Za-z_][A-Za-z0-9_]*) and it
 * cannot be mistaken for a type or a float literal where a value name may follow an optional type
 * (`float`, `seq`, `nan`); onnx.printer prints those bare, we quote them so that they read back.
 */
export function isBareName(name: string): boolean {
  return IDENTIFIER.test(name) && !startsType(name) && !isFloatWord(name);
}

/** onnx.printer's printQuoted: backslash-escape `\` and `"`, everything else verbatim (line breaks too). */
export function quote(value: string): string {
  return `"${value.replace(/[\\"]/g, '\\$&')}"`;
}

/** A name where a type cannot stand (graph and value-info names may follow an optional type). */
export function nameText(name: string): string {
  return isBareName(name) ? name : quote(name);
}

/**
 * A name where only a name can stand (node names, node inputs and outputs, attribute names, dims,
 * references): keywords print bare there, as onnx.printer prints them; onnx.parser reads attribute
 * names only as bare identifiers.
 */
export function identifierText(name: string): string {
  return IDENTIFIER.test(name) ? name : quote(name);
}

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);
const UINT64_MAX = 2n ** 64n - 1n;

/**
 * An integer exactly, never in exponent form (String(1e21) would read back as a float). Values past
 * 2^53 are already rounded in the IR; they are clamped to the int64 range (uint64 with `unsigned`), so
 * that INT64_MAX, which rounds to 2^63, prints as INT64_MAX and reads back as the same number.
 */
export function formatInt(value: number, unsigned = false): string {
  if (Number.isSafeInteger(value)) return String(value);
  if (Number.isNaN(value)) return '0';
  const max = unsigned ? UINT64_MAX : INT64_MAX;
  const min = unsigned ? 0n : INT64_MIN;
  if (!Number.isFinite(value)) return String(value > 0 ? max : min);
  const big = BigInt(Math.trunc(value));
  return String(big > max ? max : big < min ? min : big);
}

/** The shortest decimal that reads back (through float32 rounding) as the same float32 value. */
export function formatFloat32(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  if (Object.is(value, -0)) return '-0';
  for (let precision = 1; precision <= 9; precision++) {
    const candidate = Number(value.toPrecision(precision));
    if (Math.fround(candidate) === value) return String(candidate);
  }
  return String(value);
}

export function formatFloat64(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  if (Object.is(value, -0)) return '-0';
  return String(value);
}

/** Float attributes must look like floats (`1.0`, not `1`), or the parser reads an int attribute. */
export function asFloatLiteral(text: string): string {
  return /^-?\d+$/.test(text) ? `${text}.0` : text;
}

/** Reads a float literal token's text (`1.5`, `-inf`, `NaN`, `1e-5`). */
export function parseFloatText(text: string): number {
  const lower = text.toLowerCase();
  const negative = lower.startsWith('-');
  const word = negative ? lower.slice(1) : lower;
  if (word === 'nan') return NaN;
  if (word === 'inf' || word === 'infinity') return negative ? -Infinity : Infinity;
  return Number(text);
}
