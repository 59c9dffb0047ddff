// Lint: strict TypeScript, no floating promises, the purity rule for the analysis core, and the layer order.
import boundaries from 'eslint-plugin-boundaries';
import tseslint from 'typescript-eslint';

/**
 * The layers of the code, lowest first (ARCHITECTURE.md, "Layers"). A file may import from its own layer
 * and the layers before it, never from a later one, so the data path points one way: file → graph →
 * shapes → costs → advice → report → views. Each file belongs to the first layer whose pattern it matches.
 */
export const LAYERS = [
  // The words every layer may print (units, value text): they import nothing of the project. The one
  // exception, runtime-text.ts, names a runtime from the cost model and is the views' (below).
  { layer: 'words', files: ['server/src/format/!(runtime-text).ts'] },
  // The graph every stage speaks (ir/), and what any stage may report about it.
  { layer: 'graph', files: ['server/src/analysis/ir/**', 'server/src/analysis/{diagnostics,coverage,scope,example-dims}.ts'] },
  // Bytes or text in, a Model out.
  { layer: 'file', files: ['server/src/analysis/onnx/**', 'server/src/analysis/source-map/**'] },
  // Types and known values per node; analyze.ts reads a file and infers it.
  { layer: 'shapes', files: ['server/src/analysis/{shape,ops}/**', 'server/src/analysis/analyze.ts'] },
  { layer: 'costs', files: ['server/src/analysis/cost/**'] },
  // Frontends that build and infer a graph from a model definition; hf-config also sums its serving costs.
  { layer: 'definitions', files: ['server/src/analysis/{pytorch,pytorch-trace,hf-config}/**'] },
  { layer: 'advice', files: ['server/src/analysis/advise/**'] },
  // The report: its types (report-schema.ts, which the builders and measure/ import) and the code that builds it.
  { layer: 'report', files: ['server/src/analysis/{report-schema,report,cost-tree}.ts'] },
  // Measured times joined to a built report.
  { layer: 'measured', files: ['server/src/analysis/measure/**'] },
  {
    layer: 'views',
    files: ['server/src/{cli,lsp,python-env}/**', 'server/src/{protocol,settings}.ts', 'server/src/format/runtime-text.ts', 'client/src/**', 'media/src/**'],
  },
];

const layersAbove = (index) => LAYERS.slice(index + 1).map(({ layer }) => layer);

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', 'bench/.generated/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { project: './tsconfig.json', tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // The report page and webview scripts run in a browser: their own tsconfig adds the DOM library.
    files: ['media/**/*.ts'],
    languageOptions: { parserOptions: { project: './media/tsconfig.json', tsconfigRootDir: import.meta.dirname } },
  },
  {
    // The analysis core is pure: bytes or text in, plain data out. No editor, LSP or file system.
    files: ['server/src/analysis/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['vscode', 'vscode-*'], message: 'The analysis core must not depend on VS Code or the LSP library.' },
            { group: ['fs', 'node:fs', 'fs/*', 'node:fs/*', 'child_process', 'node:child_process'], message: 'The analysis core must not do IO: take a ByteSource.' },
          ],
        },
      ],
      'no-console': 'error',
    },
  },
  {
    // The layer order (LAYERS above), on the files' resolved imports: value, type and re-exports alike.
    files: ['server/src/**/*.ts', 'client/src/**/*.ts', 'media/src/**/*.ts'],
    plugins: { boundaries },
    settings: {
      'boundaries/root-path': import.meta.dirname,
      'boundaries/include': ['server/src/**', 'client/src/**', 'media/src/**'],
      'boundaries/files': LAYERS.map(({ layer, files }) => ({ category: layer, pattern: files })),
      'boundaries/files-single-match': true,
      'boundaries/dependency-nodes': ['import', 'export', 'dynamic-import'],
      'import/resolver': { node: { extensions: ['.ts', '.js', '.json'] } },
    },
    rules: {
      'boundaries/no-unknown-files': 'error',
      'boundaries/dependencies': [
        'error',
        {
          default: 'allow',
          policies: LAYERS.slice(0, -1).map(({ layer }, index) => ({
            from: { file: { categories: layer } },
            disallow: { to: { file: { categories: layersAbove(index) } } },
            message: `The ${layer} layer must not import from a later layer (${layersAbove(index).join(', ')}): imports point one way, see ARCHITECTURE.md "Layers".`,
          })),
        },
      ],
    },
  },
);
