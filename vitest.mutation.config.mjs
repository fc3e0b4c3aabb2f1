// The vitest configuration Stryker runs (stryker.config.mjs): the project's own, with the tests
// narrowed to the folder that tests the code being mutated (MUTATE=domain → tests/domain,
// MUTATE=use-cases → tests/use-cases), or to MUTATION_TEST_FILES (comma-separated globs).
// The narrowing lives here rather than in Stryker's `testFiles`, because with `testFiles` Stryker
// 10.1 activates static mutants after their module has loaded and reports them as survivors
// (stryker-mutator/stryker-js#6144).
import { defineConfig } from 'vitest/config';
import base from './vitest.config.ts';

const folders = { domain: 'tests/domain/**/*.test.ts', 'use-cases': 'tests/use-cases/**/*.test.ts' };
const target = process.env.MUTATE ?? 'domain';
const include = process.env.MUTATION_TEST_FILES?.split(',') ?? [folders[target]];
if (!include[0]) throw new Error(`MUTATE=${target}: use domain or use-cases`);

export default defineConfig({ ...base, test: { ...base.test, include } });
