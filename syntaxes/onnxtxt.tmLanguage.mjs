// Source of syntaxes/onnxtxt.tmLanguage.json, the TextMate grammar for ONNX textual syntax (the format of
// onnx.printer / onnx.parser). The regex fragments below (names, type keywords, recovery points) recur
// in a dozen rules, so the grammar is written here and the JSON generated from it:
//
//   node syntaxes/onnxtxt.tmLanguage.mjs          rewrite the JSON
//   node syntaxes/onnxtxt.tmLanguage.mjs --print  print it (test/unit/grammar.test.ts checks the two agree)
//
// Edit this file, regenerate, then run the grammar tests and read the snapshot diffs.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const R = String.raw;
// Possessive quantifiers throughout: a name or string never needs to give characters back, and
// backtracking into a 20,000-character token is what makes a grammar quadratic.
const ID = R`[A-Za-z_][A-Za-z0-9_]*+`;
// Value names: identifiers, plus the dotted names Ridgepoint's renderer prints bare (conv1.weight).
const NAME = R`[A-Za-z_][A-Za-z0-9_.]*+`;
const QSTR = R`"(?:[^"\\]|\\.)*+"`;
const QNAME = `(?:${QSTR}|${NAME})`;
const PRIM = R`(?:float8e4m3fnuz|float8e4m3fn|float8e5m2fnuz|float8e5m2|float8e8m0|float4e2m1|floate4m3|floate5m2|bfloat16|float16|float|double|complex64|complex128|uint64|uint32|uint16|uint8|uint4|uint2|int64|int32|int16|int8|int4|int2|bool|string)`;
const CTOR = R`(?:seq|map|optional|sparse_tensor)`;
const SPECIAL_FLOAT = R`(?i:infinity|inf|nan)`;
const HEADER_KEYS = R`(?:ir_version|opset_import|producer_name|producer_version|domain|model_version|doc_string|metadata_props|overload)`;
const ATTR_TYPES = R`(?:float|int|string|tensor|graph|sparse_tensor|type_proto|floats|ints|strings|tensors|graphs|sparse_tensors|type_protos)`;

// Recovery points for half-typed files: a header `<` on a line of its own (or followed by a header key)
// at column 0, or a column-0 signature `name (…) => …`, always starts a new top-level declaration.
const TOP_RESYNC = R`^(?=<\s*(?:$|#|${HEADER_KEYS}\s*:)|${QNAME}\s*[(<].*=>)`;
// A line that starts like a node statement (`a, b = Op…`, no subgraph on it) cannot continue an open
// argument list, attribute list or signature list, so those give up there.
const NODE_RESYNC = R`^(?=\s*(?:\[[^\]]*\]\s*)?(?:${QNAME}(?:\s*,\s*${QNAME})*\s*)?=\s*[A-Za-z_](?!.*=>))`;
const RESYNC = `${TOP_RESYNC}|${NODE_RESYNC}`;

const S = (name) => `${name}.onnxtxt`;
const scopes = (...names) => names.map(S).join(' ');

// A quoted string as one match, for use inside captures (a shape's dims), where begin/end can't go.
const quotedInner = {
  match: R`(")((?:[^"\\]|\\.)*)(")`,
  name: S('string.quoted.double'),
  captures: {
    1: { name: S('punctuation.definition.string.begin') },
    2: { patterns: [{ include: '#escape' }] },
    3: { name: S('punctuation.definition.string.end') },
  },
};


/**
 * A quoted string (outer scopes first). An unterminated one ends at the line's end with its text marked
 * invalid; that check is a \\G pattern tried once, right after the opening quote, because a lookahead on
 * the begin would be re-run from every escaped quote in a long string.
 */
function stringRules(outer) {
  return [
    {
      begin: '"',
      beginCaptures: { 0: { name: S('punctuation.definition.string.begin') } },
      end: R`(")|$`,
      endCaptures: { 1: { name: S('punctuation.definition.string.end') } },
      name: scopes(...outer, 'string.quoted.double'),
      patterns: [
        { match: R`\G(?:[^"\\]|\\.)*+\\?$`, name: S('invalid.illegal.unterminated-string') },
        { include: '#escape' },
      ],
    },
  ];
}

/**
 * Regex for a quotable name in a capture, split so only a quoted name pays for capture patterns:
 * returns the source and the captures it defines, numbered from `first`.
 */
function quotable(first, nameScope) {
  return {
    source: R`(?:(")((?:[^"\\]|\\.)*+)(")|(${NAME}))`,
    captures: {
      [first]: { name: scopes(nameScope, 'string.quoted.double', 'punctuation.definition.string.begin') },
      [first + 1]: { name: scopes(nameScope, 'string.quoted.double'), patterns: [{ include: '#escape' }] },
      [first + 2]: { name: scopes(nameScope, 'string.quoted.double', 'punctuation.definition.string.end') },
      [first + 3]: { name: S(nameScope) },
    },
  };
}

const grammar = {
  $schema: 'https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json',
  name: 'ONNX Text',
  scopeName: 'source.onnxtxt',
  fileTypes: ['onnxtxt'],
  // Structure mirrors onnx/defs/parser.cc: model ::= header? graph function*, each declaration is
  // `name <attrs>? (inputs) => (outputs) <value-infos>? { nodes }`, and graph-valued attributes nest a
  // whole declaration inside a node's attribute list, so those rules include each other recursively.
  patterns: [
    { include: '#comment' },
    { include: '#header' },
    { include: '#declaration' },
    { match: R`[\]\)\}>]`, name: S('invalid.illegal.stray-bracket') },
  ],
  repository: {
    comment: {
      match: '(#).*$',
      name: S('comment.line.number-sign'),
      captures: { 1: { name: S('punctuation.definition.comment') } },
    },
    escape: { match: R`\\.`, name: S('constant.character.escape') },
    comma: { match: ',', name: S('punctuation.separator.comma') },
    elided: { match: R`\.\.\.|…`, name: S('constant.language.elided') },
    // Single-line strings: the printer only escapes `\\` and `"`, so a value string never spans lines in
    // practice, and ending at the line keeps a half-typed `"` from swallowing the rest of the file.
    // begin/end rather than one match with capture patterns: re-tokenising captures is slow, and quoted
    // names are on nearly every line of a PyTorch export.
    string: { patterns: stringRules([]) },
    // A quoted identifier in a name position ("weird name"): a value name that happens to be quoted.
    'quoted-name': { patterns: stringRules(['variable.other.value']) },
    'value-name': {
      patterns: [{ include: '#quoted-name' }, { match: NAME, name: S('variable.other.value') }],
    },
    number: {
      patterns: [
        { match: R`(?<![\w.])-?${SPECIAL_FLOAT}(?![\w.])`, name: S('constant.numeric.float.special') },
        {
          match: R`(?<![\w.])-?(?:\d+\.\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+)(?![\w.])`,
          name: S('constant.numeric.float'),
        },
        { match: R`(?<![\w.])-?\d+(?![\w.])`, name: S('constant.numeric.integer') },
      ],
    },

    // ---- model / function header: < ir_version: 8, opset_import: ["" : 17], … >
    header: {
      begin: '<',
      beginCaptures: { 0: { name: S('punctuation.section.header.begin') } },
      // A column-0 signature means the closing `>` was lost; stop there rather than eat the graph.
      end: R`>|^(?=${QNAME}\s*[(<])`,
      endCaptures: { 0: { name: S('punctuation.section.header.end') } },
      name: S('meta.header'),
      patterns: [
        { include: '#comment' },
        {
          match: R`\b(${HEADER_KEYS})\s*(:)`,
          captures: {
            1: { name: S('keyword.other.header') },
            2: { name: S('punctuation.separator.key-value') },
          },
        },
        // doc_string is printed verbatim, so header strings may span lines.
        {
          begin: '"',
          beginCaptures: { 0: { name: S('punctuation.definition.string.begin') } },
          end: '"',
          endCaptures: { 0: { name: S('punctuation.definition.string.end') } },
          name: S('string.quoted.double'),
          patterns: [{ include: '#escape' }],
        },
        {
          begin: R`\[`,
          beginCaptures: { 0: { name: S('punctuation.section.brackets.begin') } },
          end: R`\]|^(?=${QNAME}\s*[(<])`,
          endCaptures: { 0: { name: S('punctuation.section.brackets.end') } },
          name: S('meta.brackets'),
          patterns: [
            { include: '#comment' },
            { include: '#string' },
            { include: '#number' },
            { match: ':', name: S('punctuation.separator.key-value') },
            { include: '#comma' },
          ],
        },
        { include: '#number' },
        { include: '#comma' },
      ],
    },

    // ---- top-level graph or function: name <attrs>? (inputs) => (outputs) <value-infos>? { nodes }
    declaration: {
      begin: quotable(1, 'entity.name.function.declaration').source,
      beginCaptures: quotable(1, 'entity.name.function.declaration').captures,
      // Ends right after its node list's `}` (or at a recovery point when that brace is missing).
      end: R`(?<=\})|${TOP_RESYNC}`,
      name: S('meta.declaration'),
      patterns: [{ include: '#function-attributes' }, { include: '#signature' }],
    },
    // Function attribute list, only directly after the function's name: MyFn <alpha, beta: float = 1.0>
    'function-attributes': {
      begin: R`\G\s*(<)`,
      beginCaptures: { 1: { name: S('punctuation.section.attributes.begin') } },
      end: R`(>)|${RESYNC}`,
      endCaptures: { 1: { name: S('punctuation.section.attributes.end') } },
      name: S('meta.attributes.function'),
      patterns: [
        { include: '#comment' },
        { include: '#attribute-head' },
        { include: '#attribute-value' },
        { match: ID, name: S('variable.parameter.attribute') },
      ],
    },
    signature: {
      patterns: [
        { include: '#comment' },
        {
          begin: R`\(`,
          beginCaptures: { 0: { name: S('punctuation.section.parameters.begin') } },
          end: R`(\))|${RESYNC}`,
          endCaptures: { 1: { name: S('punctuation.section.parameters.end') } },
          name: S('meta.parameters'),
          patterns: [{ include: '#value-info-items' }],
        },
        { match: '=>', name: S('keyword.operator.arrow') },
        {
          begin: '<',
          beginCaptures: { 0: { name: S('punctuation.section.value-infos.begin') } },
          end: R`(>)|${RESYNC}`,
          endCaptures: { 1: { name: S('punctuation.section.value-infos.end') } },
          name: S('meta.value-infos'),
          patterns: [{ include: '#value-info-items' }],
        },
        { include: '#node-list' },
      ],
    },
    // Typed names with optional initial values: float[N,3] x, int64[2] shape = {1, -1}, float[8] w = [...]
    'value-info-items': {
      patterns: [
        { include: '#comment' },
        { include: '#type' },
        { include: '#tensor-data' },
        { include: '#external-data' },
        { match: '=', name: S('keyword.operator.assignment') },
        { include: '#elided' },
        { include: '#value-name' },
        { include: '#comma' },
      ],
    },

    // ---- types
    type: {
      patterns: [
        {
          // The name after a tensor type is captured with it: it is the only place a bare name follows
          // a type, and it keeps `float[2] t = {…}` inside an attribute from reading as an attribute.
          // A shape holds only dims, so a half-typed `float[N, x, …` fails here instead of eating on.
          match: R`\b(${PRIM})\b(?:\s*((\[)((?:[\w\s,?.+*/%-]|${QSTR})*)(\])))?(?:(?:(?<=\])\s*|\s+)(?!${SPECIAL_FLOAT}\b|${PRIM}\b|${CTOR}\s*\()${quotable(6, '').source})?`,
          captures: {
            ...quotable(6, 'variable.other.value').captures,
            1: { name: S('storage.type.primitive') },
            2: { name: S('meta.shape') },
            3: { name: S('punctuation.section.shape.begin') },
            4: { name: S('meta.shape'), patterns: [{ include: '#dim' }] },
            5: { name: S('punctuation.section.shape.end') },
          },
        },
        {
          begin: R`\b(${CTOR})\s*(\()`,
          beginCaptures: {
            1: { name: S('storage.type.constructor') },
            2: { name: S('punctuation.section.type.begin') },
          },
          end: R`(\))(?:\s*(?!${SPECIAL_FLOAT}\b|${PRIM}\b|${CTOR}\s*\()${quotable(2, '').source})?|${RESYNC}`,
          endCaptures: {
            1: { name: S('punctuation.section.type.end') },
            ...quotable(2, 'variable.other.value').captures,
          },
          name: S('meta.type'),
          patterns: [{ include: '#comment' }, { include: '#type' }, { include: '#comma' }],
        },
        {
          match: R`\b(opaque)\s*(\()([^)]*)(\))(?:\s*(?!${SPECIAL_FLOAT}\b|${PRIM}\b|${CTOR}\s*\()${quotable(5, '').source})?`,
          name: S('meta.type'),
          captures: {
            ...quotable(5, 'variable.other.value').captures,
            1: { name: S('storage.type.constructor') },
            2: { name: S('punctuation.section.type.begin') },
            3: {
              patterns: [{ match: R`[A-Za-z_][\w.]*`, name: S('entity.name.type.opaque') }, { include: '#comma' }],
            },
            4: { name: S('punctuation.section.type.end') },
          },
        },
      ],
    },
    dim: {
      patterns: [
        { match: R`\?`, name: S('constant.language.dim.unknown') },
        { match: R`\d+`, name: S('constant.numeric.integer.dim') },
        { match: NAME, name: S('variable.other.dim') },
        { ...quotedInner, name: scopes('variable.other.dim', 'string.quoted.double') },
        { include: '#comma' },
      ],
    },

    // ---- constant data
    'tensor-data': {
      begin: R`\{`,
      beginCaptures: { 0: { name: S('punctuation.section.data.begin') } },
      end: R`(\})|${RESYNC}`,
      endCaptures: { 1: { name: S('punctuation.section.data.end') } },
      name: S('meta.tensor-data'),
      patterns: [
        { include: '#comment' },
        { include: '#number' },
        { include: '#string' },
        { include: '#elided' },
        { include: '#comma' },
      ],
    },
    // Externally stored initializer: = ["location": "w.bin", "offset": "0"] (Ridgepoint prints [...]).
    'external-data': {
      begin: R`(=)\s*(\[)`,
      beginCaptures: {
        1: { name: S('keyword.operator.assignment') },
        2: { name: S('punctuation.section.brackets.begin') },
      },
      end: R`(\])|${RESYNC}`,
      endCaptures: { 1: { name: S('punctuation.section.brackets.end') } },
      name: S('meta.external-data'),
      patterns: [
        { include: '#comment' },
        { include: '#string' },
        { match: ':', name: S('punctuation.separator.key-value') },
        { include: '#elided' },
        { include: '#number' },
        { include: '#comma' },
      ],
    },

    // ---- node lists: { [label] a, b = domain.Op:overload <attrs> (inputs) <attrs> }
    'node-list': {
      begin: R`\{`,
      beginCaptures: { 0: { name: S('punctuation.section.block.begin') } },
      end: R`(\})|${TOP_RESYNC}`,
      endCaptures: { 1: { name: S('punctuation.section.block.end') } },
      name: S('meta.block.nodes'),
      patterns: [
        { include: '#comment' },
        {
          begin: R`\[`,
          beginCaptures: { 0: { name: S('punctuation.definition.label.begin') } },
          end: R`(\])|$`,
          endCaptures: { 1: { name: S('punctuation.definition.label.end') } },
          name: S('meta.node-label'),
          patterns: [...stringRules(['entity.name.label.node']), { match: NAME, name: S('entity.name.label.node') }],
        },
        {
          // `= domain.Op:overload`. A begin/end pair rather than one match, so the domain's segments are
          // scoped without capture patterns (slow on a line-per-node file); the end is the last segment.
          begin: R`(=)\s*(?=[A-Za-z_])`,
          beginCaptures: { 1: { name: S('keyword.operator.assignment') } },
          end: R`\b(${ID})\b(?!\s*\.)(?:\s*(:)\s*(${ID}))?|(?=[^\w\s.])|$`,
          endCaptures: {
            1: { name: S('entity.name.function.op') },
            2: { name: S('punctuation.separator.overload') },
            3: { name: S('entity.name.function.overload') },
          },
          patterns: [
            {
              match: R`${ID}\s*(\.)\s*`,
              name: S('entity.name.namespace.domain'),
              captures: { 1: { name: S('punctuation.separator.namespace') } },
            },
          ],
        },
        { match: '=', name: S('keyword.operator.assignment') },
        { include: '#node-attributes' },
        {
          begin: R`\(`,
          beginCaptures: { 0: { name: S('punctuation.section.arguments.begin') } },
          end: R`(\))|${RESYNC}`,
          endCaptures: { 1: { name: S('punctuation.section.arguments.end') } },
          name: S('meta.arguments'),
          patterns: [{ include: '#comment' }, { include: '#value-name' }, { include: '#comma' }],
        },
        { include: '#value-name' },
        { include: '#comma' },
      ],
    },
    'node-attributes': {
      begin: '<',
      beginCaptures: { 0: { name: S('punctuation.section.attributes.begin') } },
      end: R`(>)|${RESYNC}`,
      endCaptures: { 1: { name: S('punctuation.section.attributes.end') } },
      name: S('meta.attributes'),
      patterns: [{ include: '#comment' }, { include: '#attribute-head' }, { include: '#attribute-value' }],
    },
    // name: type =   (the `: type` annotation is optional)
    'attribute-head': {
      match: R`\b(${ID})\s*(?:(:)\s*(?:(${ATTR_TYPES})\b|(${ID})))?\s*(=)(?![>=])`,
      captures: {
        1: { name: S('variable.parameter.attribute') },
        2: { name: S('punctuation.separator.type') },
        3: { name: S('support.type.attribute') },
        4: { name: S('invalid.illegal.attribute-type') },
        5: { name: S('keyword.operator.assignment') },
      },
    },
    'attribute-value': {
      patterns: [
        { include: '#comment' },
        {
          match: R`(@)\s*${quotable(2, '').source}`,
          name: S('meta.attribute-reference'),
          captures: {
            1: { name: S('punctuation.definition.reference') },
            ...quotable(2, 'variable.other.reference.attribute').captures,
          },
        },
        { include: '#subgraph' },
        { include: '#type' },
        { include: '#tensor-data' },
        {
          begin: R`\[`,
          beginCaptures: { 0: { name: S('punctuation.section.brackets.begin') } },
          end: R`(\])|${RESYNC}`,
          endCaptures: { 1: { name: S('punctuation.section.brackets.end') } },
          name: S('meta.list'),
          patterns: [{ include: '#attribute-value' }],
        },
        { include: '#number' },
        { include: '#string' },
        { match: '=', name: S('keyword.operator.assignment') },
        { include: '#elided' },
        { include: '#comma' },
      ],
    },
    // Graph-valued attribute: then_branch: graph = g1 (…) => (…) { … }. Anything but a type keyword or a
    // float spelling (inf, nan) followed by `(` is a graph, exactly as the parser decides.
    subgraph: {
      begin: R`(?<![\w.\\])(?!${PRIM}\b|${CTOR}\b|opaque\b|${SPECIAL_FLOAT}\b)${quotable(1, '').source}(?=\s*\()`,
      beginCaptures: quotable(1, 'entity.name.function.subgraph').captures,
      // After the body; or, if the body is missing, at whatever ends the attribute value.
      end: R`(?<=\})|(?=[,>\]])|${RESYNC}`,
      name: S('meta.subgraph'),
      patterns: [{ include: '#signature' }],
    },
  },
};

const json = `${JSON.stringify(grammar, null, 2)}\n`;
if (process.argv.includes('--print')) process.stdout.write(json);
else writeFileSync(join(dirname(fileURLToPath(import.meta.url)), 'onnxtxt.tmLanguage.json'), json);
