import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The pure core (functions/core, DESIGN.md) reaches nothing outside itself: no cloud SDK or Lambda
 * middleware, no file system (except its one file-system edge, core/playbooks/load.ts), and nothing
 * from an outer layer (functions/{actions,adapters,engine,handlers,cli,records,report,sim,config},
 * workflows, infra). Relative imports are judged by how far they climb: a file `depth` folders below
 * functions/core leaves core with `depth + 1` `../`. Core's tests may also use test/support.
 */
const CORE_SDKS = {
  regex: '^(@aws-sdk|@azure|@microsoft|@smithy|@aws-lambda-powertools|@middy)/',
  message: 'functions/core is pure: cloud SDKs and Lambda middleware belong in adapters, actions or handlers.',
};
const CORE_NO_FS = {
  regex: '^(node:)?fs(/promises)?$',
  message: 'functions/core does no I/O: read files at the edge (core/playbooks/load.ts is the one file-system edge of core).',
};
const CORE_FILE_EDGE = 'functions/core/playbooks/load.ts';
const coreStaysInCore = (depth, { tests }) => ({
  regex: `^(\\.\\./){${depth + 1}}${tests ? '(?!\\.\\./test/support/)' : ''}`,
  message:
    'functions/core imports only functions/core: nothing from actions, adapters, engine, handlers, cli, records, report, sim, config, workflows or infra.',
});
const coreImportRules = [0, 1, 2, 3].flatMap((depth) => {
  const files = [`functions/core/${'*/'.repeat(depth)}*.ts`];
  return [
    {
      files,
      ignores: ['**/*.test.ts', CORE_FILE_EDGE],
      rules: { 'no-restricted-imports': ['error', { patterns: [CORE_SDKS, CORE_NO_FS, coreStaysInCore(depth, { tests: false })] }] },
    },
    // Tests read their fixtures from disk and may use test/support; the rest holds for them too.
    {
      files: files.map((f) => f.replace(/\*\.ts$/, '*.test.ts')),
      rules: { 'no-restricted-imports': ['error', { patterns: [CORE_SDKS, coreStaysInCore(depth, { tests: true })] }] },
    },
  ];
});

export default tseslint.config(
  { ignores: ['node_modules/**', 'cdk.out/**', 'dist/**', '.cordon/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['functions/core/**/*.ts', 'workflows/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'error' },
  },
  ...coreImportRules,
  {
    // The file-system edge of core: lists and reads playbooks/*.yaml (parsing stays pure in parse.ts).
    files: [CORE_FILE_EDGE],
    rules: { 'no-restricted-imports': ['error', { patterns: [CORE_SDKS, coreStaysInCore(1, { tests: false })] }] },
  },
  {
    // The Azure Function App is its own host: shared cloud wiring lives in functions/adapters/aws,
    // never in the Lambda handlers (their runtime would ride into the Function App bundle).
    files: ['functions/handlers/azure/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['../aws', '../aws/**', '**/handlers/aws', '**/handlers/aws/**'], message: 'functions/handlers/azure must not import functions/handlers/aws: share wiring through functions/adapters/aws.' }] },
      ],
    },
  },
);
