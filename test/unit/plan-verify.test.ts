/** Verifying a plan's evidence: a forged payload's folder names never lead out of the results tree. */
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { sha256Hex } from '../../harness/evidence/digest.ts';
import { PLAN_PREDICATE_TYPE, PLAN_SUBJECT, type PlanStatement } from '../../harness/plan/evidence.ts';
import { planStatementProblems } from '../../harness/plan/verify.ts';
import { tempDir } from '../helpers/cli.ts';

describe('plan evidence checks', () => {
  it('refuses a system results folder of .. instead of reading outside the tree', async () => {
    const tmp = await tempDir('rd-plan-verify-');
    try {
      const runDir = path.join(tmp.path, 'results', '_plan.ward', 'r1');
      await mkdir(runDir, { recursive: true });
      await writeFile(path.join(runDir, 'plan.json'), '{}');
      const statement = {
        _type: 'https://in-toto.io/Statement/v1',
        predicateType: PLAN_PREDICATE_TYPE,
        subject: [{ name: PLAN_SUBJECT.systemEvidence('db'), digest: { sha256: '0'.repeat(64) } }, { name: PLAN_SUBJECT.result, digest: { sha256: sha256Hex(Buffer.from('{}')) } }],
        predicate: { plan: { runId: 'r1', plan: { name: 'ward' }, systems: [{ name: 'db', resultsDir: '/srv/results/..' }] }, chain: { scope: 'plan', sequence: 1, previous: null }, notes: [] },
      } as unknown as PlanStatement;
      const problems = await planStatementProblems(statement, path.join(runDir, 'evidence.json'));
      assert.deepEqual(problems, ['names the results folder of system db as "/srv/results/..", which is no run folder']);
    } finally {
      await tmp.remove();
    }
  });
});
