// ESLint flat config: typescript-eslint's recommended rules with type information for the
// TypeScript sources, so promise mistakes are caught (`void` marks deliberate fire-and-forget).
import tseslint from 'typescript-eslint';

const noVscode = { name: 'vscode', message: 'Only the extension\'s view layer (src/extension, outside models/) imports vscode.' };

export default tseslint.config(
  { ignores: ['out/**', 'node_modules/**', '.vscode-test/**', 'test-results/**', '**/*.d.ts', '**/*.d.mts', 'examples/**', 'tracer/**'] },
  {
    files: ['**/*.ts'],
    extends: [...tseslint.configs.recommended],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // node:test's describe/it return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] }] },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'smart'],
    },
  },
  // Layers (docs/ARCHITECTURE.md): only the extension's vscode files import `vscode`; the core
  // never reaches up into a front end.
  {
    files: ['src/cli/**/*.ts', 'src/server/**/*.ts', 'src/webview/**/*.ts', 'src/extension/models/**/*.ts', 'test/unit/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [noVscode] }] },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [noVscode], patterns: [{ group: ['**/extension', '**/extension/**', '**/extension.ts'], message: 'src/core serves every front end: it may not import from src/extension.' }] }] },
  },
  {
    // Build and test scripts run on Node directly.
    files: ['**/*.mjs', '**/*.js', '**/*.cjs'],
    languageOptions: {
      globals: {
        process: 'readonly', console: 'readonly', fetch: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly',
        setInterval: 'readonly', clearInterval: 'readonly', URL: 'readonly', Buffer: 'readonly', __dirname: 'readonly',
        require: 'readonly', module: 'writable', AbortController: 'readonly', TextDecoder: 'readonly',
      },
    },
    rules: { 'no-undef': 'error', 'no-unused-vars': ['error', { argsIgnorePattern: '^_' }], 'no-unreachable': 'error' },
  },
  {
    // Benchmarks: Node's performance clock, and functions they hand to a real page (Playwright's evaluate).
    files: ['bench/**/*.mjs'],
    languageOptions: {
      globals: { performance: 'readonly', window: 'readonly', document: 'readonly', requestAnimationFrame: 'readonly', getComputedStyle: 'readonly' },
    },
  },
);
