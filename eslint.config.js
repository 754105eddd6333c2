// ESLint flat config. Type-aware rules (promises that nobody awaits or handles) and import cycles;
// layout is Prettier's job (.prettierrc.json), so no stylistic rules here.
import { defineConfig } from 'eslint/config';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import { importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

export default defineConfig(
  {
    // Build output, installs, run data and what the server or the benchmarks write.
    ignores: ['dist*/**', 'data/**', 'bench-results/**', 'loadtest-results/**', '.ci-out/**', '.vitest-cache/**', 'config/**', 'test-artifacts/**'],
  },
  {
    // .tsx: the web app (apps/web), checked with its own tsconfig.json by the same rules.
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: {
      parser: tseslint.parser,
      // Each file is checked with the tsconfig.json that includes it (those `npm run typecheck` uses):
      // the root one, or apps/web/tsconfig.json for the browser app.
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin, 'import-x': importX },
    settings: {
      // Without these, import-x skips .ts dependencies as files of unknown type: no-cycle would pass.
      'import-x/extensions': ['.ts', '.tsx'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx'] },
      // '#db', '#realtime', … resolve to the sources through package.json "imports" (the
      // "development" condition, as in tsconfig's customConditions), not to dist/.
      'import-x/resolver-next': [createTypeScriptImportResolver({ conditionNames: ['development', 'types', 'import', 'node', 'default'] })],
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      // ignoreExternal: packages in node_modules never import this project's files, so no cycle
      // can pass through them; not walking their type declarations halves the rule's time.
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
);
