// ESLint flat config for `npm run lint`. Prettier owns formatting: eslint-config-prettier comes last.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  {
    ignores: [
      'dist/',
      'node_modules/',
      'coverage/',
      'data/',
      'test/bench/results/',
      // written by `npm run migration:generate` (TypeORM)
      'libs/database/src/migrations/postgres/',
      'libs/database/src/migrations/sqlite/',
    ],
  },

  // Plain JavaScript: bench, CI and build scripts and jest.config.js (CommonJS, run by Node).
  {
    files: ['**/*.js'],
    extends: [js.configs.recommended],
    languageOptions: { sourceType: 'commonjs', ecmaVersion: 2023, globals: { ...globals.node } },
  },
  {
    files: ['**/*.mjs'],
    extends: [js.configs.recommended],
    languageOptions: { sourceType: 'module', ecmaVersion: 2023, globals: { ...globals.node } },
  },

  // TypeScript (apps/, libs/, test/, ormconfig.ts): type-aware rules, with the types tsconfig.json gives.
  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node },
    },
    rules: {
      // a leading underscore marks a binding kept on purpose (rest siblings that drop a field, unused parameters)
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
      // `x as unknown as T` is a deliberate double cast (reaching a private field in a test, say): its first step is the point
      '@typescript-eslint/no-unnecessary-type-assertion': ['error', { typesToIgnore: ['unknown'] }],
      // `catch (e) { return Promise.reject(e); }` hands on what was thrown, whatever it is
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true }],
    },
  },
  {
    // the browser surfaces (the offer panel, the console) and the browser suite run in a page: browser globals, with the types of their own tsconfig.json
    files: ['apps/offer-panel/**/*.ts', 'apps/console/**/*.ts', 'test/browser/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // in-memory counters implement the same async interface as the Redis ones: async keeps a throw a rejection
    files: ['libs/core/src/redis/counters.ts'],
    rules: { '@typescript-eslint/require-await': 'off' },
  },

  // Tests: unit specs beside the code (*.spec.ts, *.db-spec.ts), e2e and integration suites and their support code.
  {
    files: ['**/*.spec.ts', '**/*-spec.ts', 'test/**/*.ts'],
    rules: {
      // response bodies (supertest's `body`), JSON.parse and fixtures are `any`: typing every read adds nothing to a test
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // expect(mock.method).toHaveBeenCalled() and jest.spyOn pass methods unbound on purpose
      '@typescript-eslint/unbound-method': 'off',
      // in-memory fakes implement async interfaces without awaiting anything
      '@typescript-eslint/require-await': 'off',
    },
  },

  {
    // the offer store's callbacks hand their error on as `unknown`, which `error === undefined ? … : reject(error)` narrows to `{} | null`
    files: ['libs/offers/src/offer-builder.ts', 'libs/offers/src/storage/offer-store.spec.ts'],
    rules: { '@typescript-eslint/prefer-promise-reject-errors': 'off' },
  },
  prettier,
);
