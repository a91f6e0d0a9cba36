// ESLint 9 flat config: typescript-eslint (syntax-only rules: fast on a small
// machine) for main/, native-workers/, renderer/, e2e/ and test/, react-hooks
// for the renderer, and the project's boundaries as import restrictions:
//  - only main/desktop/ may import electron (the engine runs under plain Node);
//  - the renderer never imports the engine, the server or Node built-ins
//    (it shares main/api/ only), and its app code never imports
//    renderer/src/test-support/ (test doubles).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

const electronOnlyInDesktop = {
  paths: [{ name: 'electron', message: 'Only main/desktop/ may import electron: the engine, server and CLI run under plain Node.' }],
  patterns: [{ group: ['electron/*'], message: 'Only main/desktop/ may import electron.' }],
};

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'test-results/**',
      'playwright-report/**',
      'bench/.out/**',
      'e2e/.artifacts/**',
      'assets/**',
      '**/*.d.ts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: { ...globals.node },
    },
    linterOptions: { reportUnusedDisableDirectives: 'warn' },
    rules: {
      'no-restricted-imports': ['error', electronOnlyInDesktop],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
      '@typescript-eslint/no-explicit-any': 'warn',
      '@typescript-eslint/no-empty-object-type': ['error', { allowInterfaces: 'with-single-extends' }],
      'no-empty': ['error', { allowEmptyCatch: true }],
      'no-constant-condition': ['error', { checkLoops: false }],
      eqeqeq: ['error', 'smart'],
      'prefer-const': 'error',
      'no-var': 'error',
    },
  },
  {
    // The desktop shell is where electron belongs.
    files: ['main/desktop/**'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    // The preload is CommonJS by necessity (sandboxed preloads can't be ESM).
    files: ['**/*.cts', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'warn',
      'no-restricted-imports': [
        'error',
        {
          paths: electronOnlyInDesktop.paths,
          patterns: [
            ...electronOnlyInDesktop.patterns,
            { group: ['**/main/engine/**', '**/main/server/**', '**/main/cli/**', '**/main/desktop/**'], message: 'The renderer talks to the engine through the API client only (it may import main/api/).' },
            { group: ['node:*'], message: 'The renderer runs in a browser (or a sandboxed Electron window): no Node built-ins.' },
            { group: ['**/test-support/**'], message: 'renderer/src/test-support/ (FakeServer, …) is for tests only.' },
          ],
        },
      ],
    },
  },
  {
    files: ['renderer/vite.config.ts', 'renderer/sw/plugin.ts', 'renderer/**/*.test.{ts,tsx}', 'renderer/src/test-support/**'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: { 'no-restricted-imports': ['error', electronOnlyInDesktop] },
  },
  {
    // The console's service worker: a classic worker script (the build prepends its version and file list).
    files: ['renderer/sw/**/*.js'],
    languageOptions: { sourceType: 'script', globals: { ...globals.serviceworker } },
  },
  {
    // Tests may use any where a fixture is deliberately malformed.
    files: ['**/*.test.ts', '**/*.test.tsx', 'e2e/**', 'test/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // Harness code passes callbacks to page.evaluate(), which run in the browser.
    files: ['e2e/**', 'bench/**', 'test/**'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    // Files that declare those globals themselves (/* global window */) are fine too.
    rules: { 'no-redeclare': ['error', { builtinGlobals: false }] },
  },
  {
    // The Electron e2e spec drives the desktop shell.
    files: ['e2e/electron*.spec.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
);
