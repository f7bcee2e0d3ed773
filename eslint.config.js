// ESLint: the recommended rules over the shipped JS (js/), run by npm test. Kept small on purpose:
// correctness rules (undefined names, unused code, unreachable branches), no style rules.
import js from '@eslint/js';
import globals from 'globals';

export default [
  { ignores: ['dist/', 'build/', 'node_modules/', 'third_party/'] },
  js.configs.recommended,
  {
    files: ['js/**/*.js', 'models/**/*.js'],
    languageOptions: {
      ecmaVersion: 2024,
      sourceType: 'module',
      globals: { ...globals.browser, ...globals.node, ...globals.worker },
    },
    rules: {
      'no-unused-vars': ['error', { args: 'none', caughtErrors: 'none', ignoreRestSiblings: true }],
      'no-empty': ['error', { allowEmptyCatch: true }],
    },
  },
];
