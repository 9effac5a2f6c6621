/**
 * A mocha root hook plugin (registered in .mocharc.json): lists every skipped test, with its reason,
 * at the end of the run, and under CI=true fails the run for each one that is not on the allow-list
 * (test/ci-allowed-skips.txt, or RESTORE_DRILL_CI_ALLOWED_SKIPS): a broken image build must not make CI
 * green with the docker tests silently pending. Tests skip through skipBecause(this, reason).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Context, Runnable, Suite, Test } from 'mocha';

const DEFAULT_ALLOW_LIST = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'ci-allowed-skips.txt');
const reasons = new WeakMap<Runnable | Suite, string>();

/** Skips the running test (or, from a before hook, its suite), saying why. */
export function skipBecause(context: Context, reason: string): never {
  // From a before hook the whole suite skips: the reason is kept on the suite.
  const runnable = context.test as (Runnable & { type?: string }) | undefined;
  if (runnable) reasons.set(runnable.type === 'hook' && runnable.parent ? runnable.parent : runnable, reason);
  console.log(`      skipped: ${reason}`);
  context.skip();
}

export interface SkippedTest {
  title: string;
  reason: string;
}

/** Allowed titles and why, from "full test title # why CI cannot have it" lines; # starts a comment line. */
export function readAllowList(file: string): Map<string, string> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return new Map();
  }
  const allowed = new Map<string, string>();
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const cut = line.lastIndexOf(' # ');
    if (cut < 0) throw new Error(`${file}:${index + 1}: an allowed skip needs " # why CI cannot have it" after the test's title`);
    allowed.set(line.slice(0, cut).trim(), line.slice(cut + 3).trim());
  }
  return allowed;
}

function skippedUnder(suite: Suite): SkippedTest[] {
  const own = suite.tests.filter((test: Test) => test.isPending()).map((test) => ({ title: test.fullTitle(), reason: reasonOf(test) }));
  return [...own, ...suite.suites.flatMap(skippedUnder)];
}

function reasonOf(test: Test): string {
  for (let at: Runnable | Suite | undefined = test; at; at = at.parent) {
    const reason = reasons.get(at);
    if (reason) return reason;
  }
  return 'no reason given (skip with skipBecause(this, reason))';
}

/** What the end of a run says and whether it fails: pure, for the plugin's own test. */
export function judgeSkips(skipped: SkippedTest[], allowed: Map<string, string>, ci: boolean): { lines: string[]; failure?: string } {
  if (skipped.length === 0) return { lines: [] };
  const lines = [`${skipped.length} skipped test${skipped.length === 1 ? '' : 's'}:`];
  for (const s of skipped) lines.push(`  - ${s.title}: ${s.reason}${allowed.has(s.title) ? ` (allowed in CI: ${allowed.get(s.title)})` : ''}`);
  const refused = skipped.filter((s) => !allowed.has(s.title));
  if (!ci || refused.length === 0) return { lines };
  const failure = `CI=true and ${refused.length} test${refused.length === 1 ? ' was' : 's were'} skipped that CI must run (install what they need in .ci/run, or add them to test/ci-allowed-skips.txt saying why CI cannot have it):\n${refused.map((s) => `  - ${s.title}: ${s.reason}`).join('\n')}`;
  return { lines, failure };
}

export const mochaHooks = {
  afterAll(this: Context): void {
    const root = this.test?.parent;
    if (!root) return;
    const ci = process.env.CI === 'true';
    const allowed = readAllowList(process.env.RESTORE_DRILL_CI_ALLOWED_SKIPS ?? DEFAULT_ALLOW_LIST);
    const { lines, failure } = judgeSkips(skippedUnder(root), allowed, ci);
    if (lines.length > 0) console.log(`\n${lines.join('\n')}`);
    if (failure) throw new Error(failure);
  },
};
