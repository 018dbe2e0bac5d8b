import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// Only query modules, the policy, db/, scripts/ and tests/ may read the schema: every other
// content read has to go through a query function that takes the viewer (DESIGN.md §3).
const schemaImport = {
  group: ['**/db/schema', '**/db/schema/*', '**/db/schema/**'],
  message: 'Only queries.ts files and server/policy/ may import the database schema; go through a query module.',
};

export default tseslint.config(
  { ignores: ['node_modules/**', 'data/**', 'test-artifacts/**', 'db/migrations/**', 'dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  {
    files: ['server/**/*.{ts,tsx}', 'web/**/*.{ts,tsx}'],
    ignores: ['**/queries.ts', 'server/policy/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [schemaImport] }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    // The one raw-HTML outlet is web/views/safe-html.tsx.
    files: ['web/**/*.tsx'],
    ignores: ['web/views/safe-html.tsx'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: "JSXAttribute[name.name='dangerouslySetInnerHTML']", message: 'Print user content only through <RenderedContent html={SafeHtml}>.' },
      ],
    },
  },
  {
    files: ['web/static/**/*.js'],
    languageOptions: { globals: globals.browser },
  },
);
