/**
 * The real CLI with --sandbox docker against the real engine: a service restored and checked inside
 * the container, Ctrl-C and a killed harness leaving nothing behind, a dead or hung engine giving ERROR.
 */
import assert from 'node:assert/strict';
import { mkdir, writeFile, readdir } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { containersLabelled, dockerUnavailable, networksLabelled, scratchDir, startCli } from '../helpers/docker.ts';
import { skipBecause } from '../helpers/ci-skips.ts';

interface JsonOutput {
  exitCode: number;
  results: { verdict: string; reason: string; error?: { code: string; message: string }; notes: string[]; sandbox?: { driver: string; description: Record<string, string> }; checks: { status: string }[] }[];
}

describe('docker sandbox through the CLI (integration, real engine)', function () {
  let scratch: { path: string; remove(): Promise<void> };
  const tag = `${process.pid}`;

  before(async function () {
    const why = await dockerUnavailable();
    if (why) skipBecause(this, why);
    scratch = await scratchDir();
    const snapshot = path.join(scratch.path, 'backups', 'snap-1');
    await mkdir(snapshot, { recursive: true });
    await writeFile(path.join(snapshot, 'patients.csv'), '1,山田\n2,佐藤\n3,鈴木\n');
  });

  after(async () => {
    await scratch?.remove();
  });

  async function scenario(name: string, body: string): Promise<string> {
    const file = path.join(scratch.path, `${name}.yaml`);
    await writeFile(file, `name: ${name}\nsource: { kind: directory, path: ./backups/snap-* }\n${body}`);
    return file;
  }

  const results = () => path.join(scratch.path, 'results');

  it('restores, starts the image\'s service and passes a readiness check inside the container', async function () {
    const why = await dockerUnavailable(['restore-drill/postgres:latest']);
    if (why) skipBecause(this, why);
    const file = await scenario(
      `it-pg-${tag}`,
      `sandbox: { image: "restore-drill/postgres:latest", memory: 512m }
restore:
  - run: test -s /restore/patients.csv && $RESTORE_DRILL_START
  - run: psql -U postgres -v ON_ERROR_STOP=1 -c "create table patients (id int, name text)" -c "\\\\copy patients from '/restore/patients.csv' csv"
expect:
  command:
    - name: the patients table answers
      run: psql -U postgres -tAc "select count(*) from patients"
      stdout: /^3$/m
      until: 30s
`,
    );
    const cli = startCli(['run', file, '--sandbox', 'docker', '--results', results(), '--json']);
    const { code, stdout, stderr } = await cli.done;
    const output = JSON.parse(stdout) as JsonOutput;
    const result = output.results[0]!;
    assert.equal(result.verdict, 'PASS', `${result.reason}\n${stderr}`);
    assert.equal(code, 0);
    assert.equal(result.sandbox?.driver, 'docker');
    assert.match(result.sandbox!.description.imageId!, /^sha256:/);
    assert.equal(result.sandbox!.description.startCommand, '/usr/local/bin/start-postgres');
    assert.deepEqual(await containersLabelled(`restore-drill.scenario=it-pg-${tag}`), []);
  });

  it('the demo drills give the verdicts they are built to give in docker sandboxes', async function () {
    // The demo also makes and drills the engine demos (borg, PostgreSQL, Orthanc) here.
    this.timeout(360_000);
    const { code, stdout, stderr } = await startCli(['demo', '--sandbox', 'docker', '--results', results()], {}, 330_000).done;
    assert.match(stderr + stdout, /4 scenarios, docker sandbox/);
    assert.match(stdout, /Every demo drill that ran gave the verdict it was built to give/, stdout + stderr);
    assert.match(stdout, /PASS {2}billing/);
    assert.match(stdout, /FORECAST \(not measured\)/);
    assert.equal(code, 0);
  });

  it('a readiness check that fails inside the container gives FAIL, with the service\'s output', async function () {
    const why = await dockerUnavailable(['restore-drill/postgres:latest']);
    if (why) skipBecause(this, why);
    const file = await scenario(
      `it-fail-${tag}`,
      `sandbox: { image: "restore-drill/postgres:latest" }
restore:
  - run: $RESTORE_DRILL_START
expect:
  command:
    - name: the restored table is there
      run: psql -U postgres -tAc "select count(*) from patients"
`,
    );
    const { code, stdout } = await startCli(['run', file, '--sandbox', 'docker', '--results', results(), '--json']).done;
    const result = (JSON.parse(stdout) as JsonOutput).results[0]!;
    assert.equal(result.verdict, 'FAIL');
    assert.equal(code, 1);
    const check = result.checks[0] as { status: string; logTail?: string; details?: { stderr?: string } };
    assert.equal(check.status, 'fail');
    assert.match(check.details?.stderr ?? '', /relation "patients" does not exist/);
    assert.match(check.logTail ?? '', /\[start-postgres\] ready/);
  });

  for (const [signal, exitCode] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const) {
    it(`${signal} during a slow readiness check removes the container and its network`, async () => {
      const name = `it-${signal.toLowerCase()}-${tag}`;
      const file = await scenario(
        name,
        `sandbox: { network: drill }
expect:
  command:
    - name: a slow service
      run: sleep 100
      timeout: 2m
`,
      );
      const cli = startCli(['run', file, '--sandbox', 'docker', '--results', results()]);
      await cli.waitFor('checking readiness');
      assert.equal((await containersLabelled(`restore-drill.scenario=${name}`)).length, 1, 'the drill should have a container while it runs');
      assert.equal((await networksLabelled(`restore-drill.scenario=${name}`)).length, 1);
      cli.child.kill(signal);
      const { code } = await cli.done;
      assert.equal(code, exitCode);
      assert.deepEqual(await containersLabelled(`restore-drill.scenario=${name}`), []);
      assert.deepEqual(await networksLabelled(`restore-drill.scenario=${name}`), []);
    });
  }

  it('after a killed harness, the next run removes the container, network and folder it left', async () => {
    const name = `it-killed-${tag}`;
    const file = await scenario(
      name,
      `sandbox: { network: drill }
expect:
  command:
    - run: sleep 100
      timeout: 2m
`,
    );
    const cli = startCli(['run', file, '--sandbox', 'docker', '--results', results()]);
    await cli.waitFor('checking readiness');
    cli.child.kill('SIGKILL');
    await cli.done;
    const left = await containersLabelled(`restore-drill.scenario=${name}`);
    assert.equal(left.length, 1, 'a killed harness cannot clean up: its container is still there');
    assert.equal((await networksLabelled(`restore-drill.scenario=${name}`)).length, 1);
    const folders = async () => (await readdir(os.tmpdir())).filter((f) => f.startsWith(`restore-drill-docker-${name}-`));
    assert.equal((await folders()).length, 1);

    const quick = await scenario(`it-after-kill-${tag}`, '');
    const next = await startCli(['run', quick, '--sandbox', 'docker', '--results', results(), '--json'], { RESTORE_DRILL_LEFTOVER_GRACE: '0s' }).done;
    const notes = (JSON.parse(next.stdout) as JsonOutput).results[0]!.notes.join('\n');
    assert.match(notes, new RegExp(`removed the container restore-drill-${name}-`));
    assert.match(notes, /removed the network restore-drill-/);
    assert.match(notes, /removed the restore folder/);
    assert.deepEqual(await containersLabelled(`restore-drill.scenario=${name}`), []);
    assert.deepEqual(await networksLabelled(`restore-drill.scenario=${name}`), []);
    assert.deepEqual(await folders(), []);
  });

  it('a Docker engine that is not there gives ERROR, saying how to start it', async () => {
    const file = await scenario(`it-nodaemon-${tag}`, '');
    const { code, stdout } = await startCli(['run', file, '--sandbox', 'docker', '--results', results(), '--json'], {
      DOCKER_HOST: `unix://${path.join(scratch.path, 'no-such-docker.sock')}`,
    }, 30_000).done;
    const result = (JSON.parse(stdout) as JsonOutput).results[0]!;
    assert.equal(result.verdict, 'ERROR');
    assert.equal(code, 3);
    assert.equal(result.error?.code, 'DOCKER_UNREACHABLE');
    assert.match(result.error!.message, /systemctl start docker/);
  });

  it('a Docker engine that accepts connections but never answers gives ERROR, not a hang', async () => {
    const socketPath = path.join(scratch.path, 'hung-docker.sock');
    const held: net.Socket[] = [];
    const server = net.createServer((socket) => void held.push(socket));
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    try {
      const file = await scenario(`it-hung-${tag}`, '');
      // The child is killed after 30 s: a hang would show as a missing JSON document.
      const { code, stdout } = await startCli(['run', file, '--sandbox', 'docker', '--results', results(), '--json'], { DOCKER_HOST: `unix://${socketPath}` }, 30_000).done;
      const result = (JSON.parse(stdout) as JsonOutput).results[0]!;
      assert.equal(result.verdict, 'ERROR');
      assert.equal(code, 3);
      assert.equal(result.error?.code, 'DOCKER_TIMEOUT');
      assert.match(result.error!.message, /did not answer a ping within 3 s/);
    } finally {
      for (const socket of held) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('doctor names the engine, the images with their ids and the tools inside them', async () => {
    const { code, stdout } = await startCli(['doctor']).done;
    assert.match(stdout, /✔ docker engine\s+\S+ \(API 1\.\d+/);
    assert.match(stdout, /✔ image restore-drill\/base:latest\s+sha256:[0-9a-f]{64}/);
    assert.match(stdout, /✔ {3}restic in base:latest\s+restic \d/);
    if (/✘/.test(stdout)) assert.equal(code, 3);
    else assert.equal(code, 0);
  });

  it('doctor without an engine says so and exits 3', async () => {
    const { code, stdout } = await startCli(['doctor'], { DOCKER_HOST: `unix://${path.join(scratch.path, 'no-such-docker.sock')}` }, 30_000).done;
    assert.match(stdout, /✘ docker engine\s+No Docker engine answers/);
    assert.equal(code, 3);
  });

  it('images build keeps an up-to-date image and refuses an unknown name', async () => {
    const before = (await startCli(['images', 'build', 'base']).done);
    assert.equal(before.code, 0, before.stderr);
    assert.match(before.stderr, /restore-drill\/base:latest is up to date|built restore-drill\/base:latest/);
    const unknown = await startCli(['images', 'build', 'no-such-image']).done;
    assert.equal(unknown.code, 64);
    assert.match(unknown.stderr, /no image recipe named no-such-image; known: base, pacs, postgres/);
  });
});
