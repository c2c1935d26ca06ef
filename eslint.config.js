/**
 * ESLint (flat config): JavaScript's and typescript-eslint's recommended rules everywhere, the rules
 * of hooks for the React windows, and jsx-a11y's accessibility rules for their markup. Formatting
 * is Prettier's job (.prettierrc); layering is dependency-cruiser's (.dependency-cruiser.cjs).
 *
 *   npm run lint           report
 *   npm run lint -- --fix  fix what can be fixed safely
 */
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');
const reactHooks = require('eslint-plugin-react-hooks');
const jsxA11y = require('eslint-plugin-jsx-a11y');
const globals = require('globals');

module.exports = tseslint.config(
  {
    ignores: ['node_modules/', 'dist/', 'release/', 'native/', 'coverage/', '.ci/node/', 'db/migrations/'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx}'],
    rules: {
      // An argument or variable named with a leading underscore is unused on purpose.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    // Main, the scripts, the tests and the config files run in Node.
    files: ['main/**', 'db/**', 'shared/**', 'scripts/**', 'tests/**', '*.js', '*.cjs', '*.ts', 'build/**', '.dependency-cruiser.cjs'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    // Tests reach into fakes and answers loosely, and load CommonJS hooks and fixtures with require.
    files: ['tests/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.cjs', '*.js', 'tests/summary-reporter.js'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['renderer/**/*.{ts,tsx}', 'tests/renderer/**/*.{ts,tsx}'],
    ...reactHooks.configs.flat['recommended-latest'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      ...reactHooks.configs.flat['recommended-latest'].rules,
      // The React Compiler's rules: the app does not use the compiler, and its windows load their
      // data in effects on purpose (a load that sets state when it answers), with the classic rules
      // of hooks and exhaustive dependencies still enforced.
      'react-hooks/set-state-in-effect': 'off',
      'react-hooks/refs': 'off',
      'react-hooks/incompatible-library': 'off',
    },
  },
  {
    files: ['renderer/**/*.tsx'],
    ...jsxA11y.flatConfigs.recommended,
    rules: {
      ...jsxA11y.flatConfigs.recommended.rules,
      // Keyboard-first windows, as in mSupply: a window opens with the focus in its first field
      // (the login name, the first field of a form), so a person can type at once.
      'jsx-a11y/no-autofocus': 'off',
    },
  },
);
