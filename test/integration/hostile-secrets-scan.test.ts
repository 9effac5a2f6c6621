/**
 * scan and find-clean print what they found in a point: file names from the backup. A backup written
 * by an attacker can name a file after a secret the scenario declares (a stolen token, to see it come
 * back in a report): their stdout goes through the same redactor as a drill's.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tar from 'tar';
import { runCli } from '../helpers/cli.ts';

const SECRET = 'Tok3n-4f9a1c-s3cr3t-value';

describe('hostile: scan and find-clean blot out declared secrets from what they print', function () {
  this.timeout(60_000);
  let work: string;
  let scenario: string;

  before(async () => {
    work = mkdtempSync(path.join(os.tmpdir(), 'rd-scan-secret-'));
    const tree = path.join(work, 'tree');
    mkdirSync(tree);
    writeFileSync(path.join(tree, `${SECRET}.lockbit`), 'x'.repeat(4096));
    writeFileSync(path.join(tree, 'notes.txt'), 'plain text\n');
    mkdirSync(path.join(work, 'backups'));
    await tar.c({ gzip: true, cwd: tree, file: path.join(work, 'backups', 'share-1.tar.gz'), portable: true }, ['.']);
    scenario = path.join(work, 'share.yaml');
    writeFileSync(scenario, ['name: share-secret', 'source: { kind: tar, path: backups/share-*.tar.gz }', 'secrets:', '  API_TOKEN: { env: RD_SCAN_TOKEN }', 'expect:', '  ransomware: {}', ''].join('\n'));
  });

  after(() => rmSync(work, { recursive: true, force: true }));

  for (const [what, args] of [
    ['scan', ['scan', '--point', 'latest']],
    ['scan --json', ['scan', '--point', 'latest', '--json']],
    ['find-clean', ['find-clean']],
    ['find-clean --json', ['find-clean', '--json']],
  ] as const) {
    it(`${what} names the file with the secret blotted out`, async () => {
      const run = await runCli([args[0], scenario, ...args.slice(1), '--sandbox', 'local', '--results', path.join(work, 'results')], { env: { RD_SCAN_TOKEN: SECRET } });
      assert.equal(run.code, 1, run.stderr);
      assert.match(run.stdout, /lockbit/, 'the finding is still reported');
      assert.ok(!run.stdout.includes(SECRET) && !run.stderr.includes(SECRET), `the secret was printed:\n${run.stdout}`);
    });
  }

  it('points and evidence points print a point id holding the secret blotted out', async () => {
    const dir = path.join(work, 'named');
    mkdirSync(path.join(dir, 'backups'), { recursive: true });
    await tar.c({ gzip: true, cwd: path.join(work, 'tree'), file: path.join(dir, 'backups', `share-${SECRET}.tar.gz`), portable: true }, ['notes.txt']);
    const named = path.join(dir, 'share.yaml');
    writeFileSync(named, ['name: share-named', 'source: { kind: tar, path: backups/share-*.tar.gz }', 'secrets:', '  API_TOKEN: { env: RD_SCAN_TOKEN }', 'expect:', '  ransomware: {}', ''].join('\n'));
    for (const args of [['points', named], ['points', named, '--json'], ['evidence', 'points', named, '--results', path.join(dir, 'results')]]) {
      const run = await runCli(args, { env: { RD_SCAN_TOKEN: SECRET } });
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /share-/, 'the point is still listed');
      assert.ok(!run.stdout.includes(SECRET) && !run.stderr.includes(SECRET), `${args.join(' ')} printed the secret:\n${run.stdout}`);
    }
  });
});
