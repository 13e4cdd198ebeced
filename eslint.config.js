// Lint rules: TypeScript everywhere, Vue in the renderer, and the layer rules: 'electron' stays out of the lab, the lab
// imports nothing from scenarios/, scenarios import only the lab's public scenario API and src/shared.
import tseslint from 'typescript-eslint'
import pluginVue from 'eslint-plugin-vue'

const NO_ELECTRON = { name: 'electron', message: 'Only src/main/index.ts and src/main/ipc.ts may import electron.' }

export default tseslint.config(
  { ignores: ['out/**', 'node_modules/**', 'test-results/**', 'playwright-report/**'] },
  ...tseslint.configs.recommended,
  ...pluginVue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser } },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'vue/multi-word-component-names': 'off',
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
      'vue/html-indent': 'off',
      'vue/html-closing-bracket-newline': 'off',
      'vue/multiline-html-element-content-newline': 'off',
    },
  },
  {
    files: ['src/main/lab/**', 'src/shared/**', 'scenarios/**', 'src/main/cli/**', 'src/main/web/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [NO_ELECTRON] }] },
  },
  {
    files: ['src/main/lab/**'],
    // Tests and their fixtures are entries too: like index.ts, they hand the built-in scenarios to the Lab.
    ignores: ['**/*.test.ts', 'src/main/lab/testing/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [NO_ELECTRON],
          patterns: [
            {
              regex: '(^|/)scenarios(/|$)',
              message: 'The lab imports nothing from scenarios/: the entries pass the scenarios into the Lab.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['scenarios/**'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [NO_ELECTRON],
          patterns: [
            {
              regex: '(^|/)src/(?!shared/|main/lab/scenario-api$)',
              message: 'Scenarios import only src/main/lab/scenario-api and src/shared (and each other).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/shared/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'electron', 'vue', 'pinia'],
              message: 'src/shared is pure TypeScript: no Node, DOM or electron.',
            },
          ],
        },
      ],
    },
  },
)
