// @ts-check
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');
const globals = require('globals');

const noElectron = { name: 'electron', message: 'Only src/main/index.ts, window.ts, menu.ts, ipc/ and preload may import electron.' };
const noOrt = {
  name: 'onnxruntime-node',
  message: 'Only src/main/engine/runtime imports onnxruntime-node (architecture.md §2).',
};

module.exports = tseslint.config(
  { ignores: ['out/**', 'node_modules/**', 'test-results/**', 'coverage/**', 'bin/**', 'scripts/**', 'eslint.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'off',
    },
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
  },
  // Import boundaries (architecture.md §2).
  {
    files: ['src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [noElectron, noOrt],
          patterns: [
            { group: ['node:*'], message: 'src/shared is platform-free.' },
            { group: ['**/main/**', '**/renderer/**', '**/preload/**'], message: 'src/shared imports nothing outside shared/.' },
          ],
        },
      ],
    },
  },
  {
    files: [
      'src/main/engine/**/*.ts',
      'src/main/history/**/*.ts',
      'src/main/system/**/*.ts',
      'src/main/serve/**/*.ts',
      'src/main/cli/**/*.ts',
      'src/main/jobs/**/*.ts',
      'src/main/models/**/*.ts',
      'src/main/service.ts',
    ],
    ignores: ['src/main/engine/runtime/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [noElectron, noOrt],
          patterns: [{ group: ['**/engine/runtime/ort', '**/renderer/**'], message: 'Go through the engine API.' }],
        },
      ],
    },
  },
  {
    files: ['src/main/engine/runtime/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [noElectron] }] },
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [noElectron, noOrt],
          patterns: [
            { group: ['node:*'], message: 'The renderer is sandboxed: no Node modules.' },
            { group: ['**/main/**', '**/preload/**'], message: 'The renderer imports src/shared only.' },
          ],
        },
      ],
    },
  },
);
