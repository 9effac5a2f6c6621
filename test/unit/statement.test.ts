import assert from 'node:assert/strict';
import { asStatement, buildStatement, PREDICATE_TYPE, STATEMENT_TYPE } from '../../harness/evidence/statement.ts';
import { sampleResult } from '../helpers/results.ts';

const chain = { scope: 'scenario' as const, sequence: 1, previous: null };

describe('unit: in-toto statement', function () {
  it('names the scenario, the restore point and result.json with their digests', function () {
    const statement = buildStatement({ result: sampleResult(), resultJsonSha256: 'b'.repeat(64), restorePoint: { sha256: 'c'.repeat(64) }, chain, notes: [] });
    assert.equal(statement._type, STATEMENT_TYPE);
    assert.equal(statement.predicateType, PREDICATE_TYPE);
    assert.deepEqual(statement.subject, [
      { name: 'scenario:scenarios/billing.yaml', digest: { sha256: 'a'.repeat(64) } },
      { name: 'restore-point:billing-20261031.tar.gz', digest: { sha256: 'c'.repeat(64) } },
      { name: 'result.json', digest: { sha256: 'b'.repeat(64) } },
    ]);
    assert.deepEqual(asStatement(JSON.parse(JSON.stringify(statement))), statement, 'it reads back');
  });

  it('adds the docker sandbox image by its id, and only a well-formed one', function () {
    const docker = sampleResult();
    docker.sandbox = { ...docker.sandbox!, driver: 'docker', description: { image: 'restore-drill/postgres:15', imageId: `sha256:${'d'.repeat(64)}` } };
    const names = buildStatement({ result: docker, resultJsonSha256: 'b'.repeat(64), chain, notes: [] }).subject.map((s) => s.name);
    assert.deepEqual(names, ['scenario:scenarios/billing.yaml', 'sandbox-image:restore-drill/postgres:15', 'result.json']);
    docker.sandbox.description.imageId = 'not-a-digest';
    assert.equal(buildStatement({ result: docker, resultJsonSha256: 'b'.repeat(64), chain, notes: [] }).subject.length, 2);
  });

  it('says which field of a statement is wrong', function () {
    assert.match(String(asStatement({ _type: 'x' })), /_type is "x", expected https:\/\/in-toto.io\/Statement\/v1/);
    assert.match(String(asStatement({ _type: STATEMENT_TYPE, predicateType: 'y' })), /predicateType is "y"/);
    assert.equal(asStatement({ _type: STATEMENT_TYPE, predicateType: PREDICATE_TYPE, subject: [] }), 'the statement has no subject');
  });
});
