import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { generateLabVm, LAB_GUEST_IMAGE } from '../../harness/demo/lab-vm.ts';
import { runProcess } from '../../harness/sandboxes/process.ts';
import { VmSandboxDriver } from '../../harness/sandboxes/vm/driver.ts';
import { REPO, runCli, tempDir } from '../helpers/cli.ts';

const ENV = { PATH: process.env.PATH ?? '/usr/bin:/bin' };

async function missing(): Promise<string | undefined> {
  const qemu = await new VmSandboxDriver().available();
  if (!qemu.ok) return qemu.reason;
  for (const tool of ['restic', 'mke2fs', 'docker']) {
    if ((await runProcess('/bin/sh', ['-c', `command -v ${tool}`], { env: ENV, timeoutMs: 5000 })).exitCode !== 0) return `${tool} is not installed`;
  }
  const image = await runProcess('docker', ['image', 'inspect', LAB_GUEST_IMAGE], { env: ENV, timeoutMs: 20_000 }).catch(() => undefined);
  return image?.exitCode === 0 ? undefined : `the image ${LAB_GUEST_IMAGE} is not built (images/build.sh vm-guest)`;
}

/** sha256 over every file's name and bytes under dir: the backup before and after. */
async function treeDigest(dir: string): Promise<string> {
  const hash = createHash('sha256');
  for (const entry of (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name)).sort()) {
    hash.update(entry).update(await readFile(entry));
  }
  return hash.digest('hex');
}

/** What a drill machine left on this host: QEMU processes of ours and scratch folders. */
async function leftovers(): Promise<string[]> {
  const folders = (await readdir(os.tmpdir())).filter((n) => n.startsWith('restore-drill-vm-'));
  const ps = await runProcess('/bin/sh', ['-c', 'for p in /proc/[0-9]*; do tr "\\0" " " < $p/cmdline 2>/dev/null; echo; done'], { env: ENV, timeoutMs: 10_000 });
  const qemus = ps.stdout.split('\n').filter((l) => l.startsWith('qemu-system') && l.includes('restore-drill-vm-'));
  return [...folders, ...qemus];
}

async function scenarioFile(dir: string, name: string, repo: string, lab: string): Promise<string> {
  const text = (await readFile(path.join(REPO, 'scenarios', `${name}.yaml`), 'utf8')).replaceAll('../demo/lab-vm', lab).replace(/repository: .*/, `repository: ${repo}`).replace('screen: {}', 'screen: { text: "login:" }');
  const file = path.join(dir, `${name}.yaml`);
  await writeFile(file, text);
  return file;
}

describe('integration: vm sandbox (boots real guests under QEMU)', function () {
  this.timeout(15 * 60_000);
  let dir: { path: string; remove(): Promise<void> };
  let lab: string;
  let digests: { repo: string; damaged: string };

  before(async function () {
    const reason = await missing();
    if (reason) {
      console.log(`      skipped: ${reason}`);
      this.skip();
    }
    dir = await tempDir('rd-vm-');
    lab = path.join(dir.path, 'lab-vm');
    await generateLabVm(lab, { snapshotTime: new Date(Date.now() - 3_600_000) });
    digests = { repo: await treeDigest(path.join(lab, 'repo')), damaged: await treeDigest(path.join(lab, 'damaged')) };
  });
  after(async () => dir?.remove());

  it('boots the lab system from restic to PASS, and FAILs the damaged copy at boot naming why; the backups are unchanged, nothing is left', async function () {
    const files = [await scenarioFile(dir.path, 'lab-vm', path.join(lab, 'repo'), lab), await scenarioFile(dir.path, 'lab-vm-damaged', '', lab)];
    const results = path.join(dir.path, 'results');
    const run = await runCli(['run', ...files, '--sandbox', 'vm', '--results', results], { timeoutMs: 12 * 60_000 });
    const resultOf = async (name: string) => {
      const runs = await readdir(path.join(results, name)).catch(() => [] as string[]);
      return runs.length === 1 ? JSON.parse(await readFile(path.join(results, name, runs[0]!, 'result.json'), 'utf8')) : undefined;
    };
    const byName = { 'lab-vm': await resultOf('lab-vm'), 'lab-vm-damaged': await resultOf('lab-vm-damaged') };
    const passed = byName['lab-vm'];
    assert.equal(passed?.verdict, 'PASS', JSON.stringify(passed?.checks?.map((c: { summary: string }) => c.summary)) + run.stdout.slice(-3000));
    assert.equal(passed.sandbox.driver, 'vm');
    assert.equal(passed.sandbox.description.diskFormat, 'raw');
    assert.match(passed.sandbox.isolation.network, /restricted/);
    assert.deepEqual(passed.checks.map((c: { kind: string }) => c.kind), ['boot', 'guest-agent', 'command', 'tcp', 'http', 'screen']);
    const [tcp, screen] = [passed.checks[3], passed.checks[5]];
    assert.equal(tcp.details.port, 8080);
    assert.ok(tcp.details.hostPort > 0 && tcp.details.hostPort !== 8080, 'through a free port on 127.0.0.1');
    // OCR of the real guest's VGA console (tty1's getty): "kensa01 login:".
    assert.match(screen.details.ocrText, /login:/);
    assert.equal(screen.details.screenshot, path.join('logs', 'screen-ready.png'));
    const png = await readFile(path.join(passed.resultsDir, 'logs', 'screen-ready.png'));
    assert.equal(png.subarray(1, 4).toString(), 'PNG');
    assert.match(await readFile(path.join(passed.resultsDir, 'report.html'), 'utf8'), /<img class="screenshot" src="logs\/screen-ready.png"/);
    if (passed.sandbox.description.accel === 'tcg') assert.ok(passed.notes.some((n: string) => /not the production RTO/.test(n)));
    const damaged = byName['lab-vm-damaged'];
    assert.equal(damaged?.verdict, 'FAIL');
    assert.match(damaged.checks[0].summary, /cannot come up: Target filesystem doesn't have requested \/sbin\/init/);
    assert.match(damaged.checks[0].logTail, /run-init/);
    assert.deepEqual({ repo: await treeDigest(path.join(lab, 'repo')), damaged: await treeDigest(path.join(lab, 'damaged')) }, digests, 'the backups are byte for byte unchanged');
    assert.deepEqual(await leftovers(), []);
  });

  it('SIGTERM while the machine boots: the CLI stops QEMU and removes the overlay', async function () {
    const file = await scenarioFile(dir.path, 'lab-vm', path.join(lab, 'repo'), lab);
    let sent = false;
    const run = await runCli(['run', file, '--sandbox', 'vm', '--results', path.join(dir.path, 'results-term')], {
      timeoutMs: 5 * 60_000,
      onSpawn: (child) => {
        const poll = setInterval(async () => {
          if (sent) return;
          if ((await leftovers()).some((l) => l.startsWith('qemu-system'))) {
            sent = true;
            clearInterval(poll);
            setTimeout(() => child.kill('SIGTERM'), 3000);
          }
        }, 300);
        child.once('close', () => clearInterval(poll));
      },
    });
    assert.ok(sent, `QEMU was seen running: ${run.stderr.slice(-1000)}`);
    assert.notEqual(run.code, 0);
    assert.deepEqual(await leftovers(), []);
  });
});
