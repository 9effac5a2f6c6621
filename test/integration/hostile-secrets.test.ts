/**
 * No secret reaches any output: a real restic repository whose password is also declared under
 * `secrets:` and given to restore steps; a step prints it and fails, a step writes it (and its base64)
 * into a file a failing command check prints. The real CLI with every reporter, evidence signed; then
 * every byte of the results folder (the evidence payload decoded), stdout and stderr is searched.
 */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { DrillResult } from '../../harness/drill/result.ts';
import { dockerUnavailable } from '../helpers/docker.ts';
import { makeResticRepo, toolMissing } from '../helpers/engines.ts';
import { makeWorld, type CliOutcome, type World } from '../helpers/evidence-world.ts';

// Quotes and URL-special characters: the JSON and URL-encoded forms differ from the value itself.
const SECRET = `Rd"Pw'4f9a/1c+s3cr3t?&=`;
const FORMS = {
  'as is': SECRET,
  'JSON-escaped': JSON.stringify(SECRET).slice(1, -1),
  'URL-encoded': encodeURIComponent(SECRET),
  base64: Buffer.from(SECRET).toString('base64').replace(/=+$/, ''),
};

const SOURCE = 'source:\n  kind: restic\n  repository: restic-repo\n  password_env: RDPW\nsecrets:\n  RESTIC_PASSWORD: { env: RDPW }\n';

describe('hostile: secrets never reach the console, --json, results, logs or evidence', function () {
  this.timeout(120_000);
  let world: World;
  const outputs: CliOutcome[] = [];

  before(async function () {
    const missing = toolMissing('restic');
    if (missing) {
      console.log(`      skipped: ${missing}`);
      this.skip();
    }
    world = await makeWorld();
    await makeResticRepo(world.root, SECRET);
    const init = await world.run(['keys', 'init']);
    assert.equal(init.code, 0, init.stderr);
    const failing = await world.scenario('step-prints-secret', SOURCE + 'restore:\n  - run: echo "about to fail with $RESTIC_PASSWORD"; exit 7\n');
    const catting = await world.scenario(
      'check-prints-secret',
      SOURCE +
        'restore:\n  - run: echo "token=$RESTIC_PASSWORD" > note.txt; printf %s "$RESTIC_PASSWORD" | base64 >> note.txt\n' +
        'expect:\n  command:\n    - name: the note is as expected\n      run: cat note.txt; cat note.txt >&2\n      stdout: nothing like this\n',
    );
    const env = { RDPW: SECRET };
    outputs.push(await world.run(['run', failing, catting, '--sandbox', 'local', '--results', world.results], env));
    outputs.push(await world.run(['run', failing, catting, '--sandbox', 'local', '--results', world.results, '--json'], env));
  });

  after(async () => {
    await world?.dispose();
  });

  it('still tells what failed, with the secret blotted out', () => {
    const [consoleRun, jsonRun] = outputs;
    assert.equal(consoleRun!.code, 1, consoleRun!.stdout + consoleRun!.stderr);
    const results = (JSON.parse(jsonRun!.stdout) as { results: DrillResult[] }).results;
    const [stepFailed, checkFailed] = results;
    assert.equal(stepFailed!.error?.code, 'RESTORE_STEP_FAILED');
    assert.match(stepFailed!.error!.message, /about to fail with \[secret:RESTIC_PASSWORD\]/);
    assert.equal(checkFailed!.verdict, 'FAIL');
    const commandCheck = checkFailed!.checks[0]!;
    assert.match(String(commandCheck.kind === 'command' ? commandCheck.details?.stdout : ''), /token=\[secret:RESTIC_PASSWORD\]\n\[secret:RESTIC_PASSWORD\]/);
  });

  it('leaves no form of the secret in any file of the results, the evidence payload, stdout or stderr', async () => {
    await assertNoSecret(world.results, outputs);
  });

  it('leaves none in a docker sandbox either (steps and checks run by docker exec)', async function () {
    const why = await dockerUnavailable();
    if (why) {
      console.log(`      skipped: ${why}`);
      this.skip();
    }
    // The same results tree: one signing key's anchor log serves one results tree.
    const results = world.results;
    const run = await world.run(['run', path.join(world.root, 'step-prints-secret.yaml'), path.join(world.root, 'check-prints-secret.yaml'), '--sandbox', 'docker', '--results', results, '--json'], { RDPW: SECRET });
    const verdicts = (JSON.parse(run.stdout) as { results: DrillResult[] }).results.map((r) => r.error?.code ?? r.verdict);
    assert.deepEqual(verdicts, ['RESTORE_STEP_FAILED', 'FAIL'], run.stderr);
    await assertNoSecret(results, [run]);
  });

  it('signs evidence that verifies over the redacted result.json', async () => {
    const publicKey = path.join(world.root, 'config', 'keys', 'evidence-ed25519.pub.pem');
    const out = await world.run(['evidence', 'verify', '--key', publicKey, world.results]);
    assert.equal(out.code, 0, out.stdout + out.stderr);
  });

  it('refuses, before any drill, a secret or a password too short to blot out, naming its line', async () => {
    const short = await world.scenario('short-secret', 'source: { kind: tar, path: backups/good/share-*.tar.gz }\nsecrets:\n  TOKEN: { env: RD_SHORT }\n');
    const run = await world.run(['run', short, '--sandbox', 'local', '--results', world.results], { RD_SHORT: 'abcde' });
    assert.equal(run.code, 3, run.stdout + run.stderr);
    assert.match(run.stderr, /short-secret\.yaml:4:3 secrets\.TOKEN: .*5 characters.*at least 8/);
    assert.ok(!run.stderr.includes('abcde') && !run.stdout.includes('abcde'));
    const password = await world.scenario('short-password', SOURCE.replace('password_env: RDPW', 'password_env: RD_SHORT').replace(/secrets:\n.*\n/, ''));
    const again = await world.run(['run', password, '--sandbox', 'local', '--results', world.results], { RD_SHORT: 'abcde' });
    assert.equal(again.code, 3, again.stdout + again.stderr);
    assert.match(again.stderr, /short-password\.yaml:5:\d+ source\.password_env: .*5 characters.*at least 8/);
    assert.deepEqual((await readdir(world.results)).filter((d) => d.startsWith('short-')), []);
  });
});

/** Searches every file under the results folder (evidence payloads decoded) and the CLI's output for every form of the secret. */
async function assertNoSecret(results: string, outputs: CliOutcome[]): Promise<void> {
  const texts: [string, string][] = outputs.flatMap((o, i) => [[`stdout ${i}`, o.stdout], [`stderr ${i}`, o.stderr]] as [string, string][]);
  const files = (await readdir(results, { recursive: true, withFileTypes: true })).filter((e) => e.isFile());
  assert.ok(files.some((f) => f.name === 'evidence.json') && files.some((f) => f.name === 'exec.log') && files.some((f) => f.name === 'report.html'));
  for (const entry of files) {
    const file = path.join(entry.parentPath, entry.name);
    const text = await readFile(file, 'utf8');
    texts.push([file, text]);
    if (entry.name === 'evidence.json') texts.push([`${file} payload`, Buffer.from(JSON.parse(text).payload, 'base64').toString('utf8')]);
  }
  for (const [where, text] of texts) {
    for (const [form, value] of Object.entries(FORMS)) assert.ok(!text.includes(value), `the secret (${form}) is in ${where}`);
  }
  const log = texts.find(([where]) => where.endsWith('exec.log'))![1];
  assert.match(log, /\[secret:RESTIC_PASSWORD\]/);
}
