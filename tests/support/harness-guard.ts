import { afterAll, beforeEach, expect } from 'vitest';

/**
 * Fails a test for what went wrong behind its back: what Parley did wrongly with a faked vendor
 * (below), and errors Parley logged (running-parley.ts adds that check). Parley survives many such
 * faults quietly (a job retries, a failed call is logged and the logger is silenced), so a test
 * could pass while Parley called a wrong URL, a method the fake does not know, or sent something
 * the vendor refuses.
 *
 * The checks run when each test has finished (after its afterEach hooks, so background work the
 * test started has had its chance), and once more after the file's last test. Importing this
 * module registers them, on the file, before any hook of the harnesses: a failing check then
 * never keeps a harness's clean-up from running.
 */

/**
 * A check returns lines describing what went wrong since it last ran (nothing: all is well).
 * `ended`: the test that just finished (its expectations are due now), or null after the file.
 */
export type HarnessCheck = (ended: string | null) => string[];
const checks = new Map<string, HarnessCheck>();

/** Adds a named check (the name heads its lines in the failure); adding a name again replaces it. */
export function addHarnessCheck(name: string, check: HarnessCheck): void {
  checks.set(name, check);
}

function runChecks(ended: string | null): void {
  const sections: string[] = [];
  for (const [name, check] of checks) {
    const lines = check(ended);
    if (lines.length) sections.push(`${name}:\n${lines.join('\n')}`);
  }
  const when =
    ended === null ? 'after the last test of this file (work that outlived its test)' : 'in this test';
  if (sections.length)
    throw new Error(`The test harness found problems ${when}.\n\n${sections.join('\n\n')}`);
}

/** The test running now; after it finished (its work may go on), its name until the next one starts. */
let current: { name: string; running: boolean } | null = null;

beforeEach(({ onTestFinished }) => {
  current = null;
  current = { name: currentTestName(), running: true };
  const name = current.name;
  onTestFinished(() => {
    if (current) current.running = false;
    runChecks(name);
  });
});
afterAll(() => runChecks(null));

/** The test running now, to say where something happened (background work may outlive its test). */
export function currentTestName(): string {
  if (current && !current.running) return current.name;
  try {
    return expect.getState().currentTestName ?? '(between tests)';
  } catch {
    return '(outside a test)';
  }
}

/** Where something happened, for a failure message: in a test, or after it ended (its work going on). */
export function whereNow(): string {
  if (current && !current.running) return `after "${current.name}" ended`;
  return `during "${currentTestName()}"`;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** A string matches itself only; a RegExp as given. */
export const asPattern = (p: string | RegExp): RegExp =>
  typeof p === 'string' ? new RegExp(`^${escapeRegExp(p)}$`) : p;

// ---- Vendors ----------------------------------------------------------------------------------

export interface VendorProblem {
  vendor: string;
  /** What happened: the request (method, URL or Web API method) and the vendor's answer. */
  what: string;
  /** The vendor's refusal code, when the problem is a refusal (`invalid_blocks`, `21211`…). */
  refusal?: string;
}

const problems: (VendorProblem & { test: string; where: string })[] = [];
/** Refusals tests said they expect (kept for the file: work a test started may be refused after it ends). */
const expectedRefusals: { vendor: string; pattern: RegExp; test: string; seen: number }[] = [];

/**
 * The current test means to make `vendor` refuse a request with a code matching `pattern`: such
 * refusals are then not problems (also when they come after the test, from work it started). It
 * must happen at least once before the test ends.
 */
export function expectVendorRefusal(vendor: string, pattern: string | RegExp): void {
  expectedRefusals.push({ vendor, pattern: asPattern(pattern), test: currentTestName(), seen: 0 });
}

/**
 * Records a vendor call gone wrong: an unhandled request, a method or path the fake does not
 * implement, a request the vendor refuses as malformed. A refusal the test declared is not one.
 */
export function recordVendorProblem(p: VendorProblem): void {
  const test = currentTestName();
  if (p.refusal !== undefined) {
    const e = expectedRefusals.find(
      (x) => x.vendor === p.vendor && x.test === test && x.pattern.test(p.refusal!),
    );
    if (e) {
      e.seen++;
      return;
    }
  }
  problems.push({ ...p, test, where: whereNow() });
}

addHarnessCheck('Vendor calls went wrong (the fakes saw Parley call a vendor wrongly)', (ended) => {
  const found = problems.splice(0);
  const unmet = expectedRefusals.filter((e) => e.test === ended && e.seen === 0);
  const lines = [
    ...found.map((p) => `  • ${p.vendor}: ${p.what}\n    (${p.where})`),
    ...unmet.map(
      (e) =>
        `  • ${e.vendor}: the test said it expects a refusal matching ${e.pattern}, and none happened\n    (in "${e.test}")`,
    ),
  ];
  if (found.length)
    lines.push(
      '  Fix the call, or implement what the fake lacks the way the vendor does it. A test that means the vendor to refuse declares it (the fake’s expectRefusal).',
    );
  return lines;
});
