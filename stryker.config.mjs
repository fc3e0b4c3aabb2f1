// Mutation testing (StrykerJS + its vitest runner) of the rules in src/domain and the verbs in
// src/use-cases. Run by hand, never in CI: `npm run mutation:domain`, `npm run mutation:use-cases`
// or `npm run mutation` (one after the other). MUTATE picks the folder; the README's Development
// section has the figures. mutation:use-cases runs incrementally (results kept in
// reports/mutation/use-cases/incremental.json; add `-- --force` to test every mutant again).
// mutation:domain always runs in full: it takes minutes, and an incremental run would reuse the
// results of static mutants (the rule tables, module-level functions) whatever tests were added.
//
// Stryker copies the repository to a sandbox under .stryker-tmp/ (node_modules symlinked) and runs
// vitest there with vitest.mutation.config.mjs: the project's own configuration, so the template
// database of tests/support/global-setup.ts is built as in `npm test`, with the tests narrowed to
// the folder's own: src/domain by the pure tests in tests/domain (the rules must be pinned where
// they live, and a run takes minutes), src/use-cases by the use-case tests in tests/use-cases
// (real PostgreSQL and Redis). perTest coverage then runs, for each mutant, only the tests that
// reach it.
const targets = {
  domain: { mutate: 'src/domain/**/*.ts' },
  'use-cases': { mutate: 'src/use-cases/**/*.ts' },
};

const label = process.env.MUTATE ?? 'domain';
const target = targets[label];
if (!target) throw new Error(`MUTATE=${label}: use domain or use-cases`);

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'vitest',
  // No `testFiles`: vitest.mutation.config.mjs narrows the tests (see there why).
  vitest: { configFile: 'vitest.mutation.config.mjs', related: false },
  coverageAnalysis: 'perTest',
  checkers: [],
  // TypeScript 7 (the native compiler) has no JavaScript API, and Stryker's tsconfig preprocessor
  // calls it to rewrite `extends`/`references` that leave the sandbox. Our tsconfig.json has
  // neither, so point the preprocessor at no file and leave tsconfig.json as it is.
  tsconfigFile: 'tsconfig.stryker-none.json',
  // The machine has 2 cores and is shared: one test runner at a time.
  concurrency: 1,
  mutate: [target.mutate],
  // Static mutants run every test again. In src/domain they are rule tables and module-level
  // functions (delivery ranks, payment and phone channels, `export const rule = () => ...`), which
  // tests must pin, so they count there; in src/use-cases they are a few module constants that
  // would cost a full DB-backed run each.
  ignoreStatic: label !== 'domain',
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
  // DB-backed tests vary with the machine's load; a mutant is a timeout only well past the dry run.
  timeoutMS: 20_000,
  timeoutFactor: 2,
  dryRunTimeoutMinutes: 30,
  reporters: ['clear-text', 'progress-append-only', 'html', 'json'],
  htmlReporter: { fileName: `reports/mutation/${label}/index.html` },
  jsonReporter: { fileName: `reports/mutation/${label}/mutation.json` },
  clearTextReporter: { allowColor: false, logTests: false, maxTestsToLog: 0, reportScoreTable: true },
  incrementalFile: `reports/mutation/${label}/incremental.json`,
  thresholds: { high: 80, low: 60, break: null },
};
