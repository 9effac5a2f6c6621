/**
 * The local sandbox's seccomp filter, in the kernel: a program restored from a hostile backup tries the
 * syscalls Flatpak's denylist refuses (through ctypes' raw syscall(), so that no libc wrapper stands in
 * between) and the tools that use them; each is refused with EPERM or ENOSYS. Without the filter,
 * keyctl, io_uring_setup, userfaultfd, process_vm_readv, ptrace, personality, TIOCSTI and an i386 syscall
 * all worked in bubblewrap (setarch -R too); unshare -n was stopped by the missing capabilities (EPERM
 * either way), clone with CLONE_NEWUSER and unshare -U by --disable-userns (ENOSPC). And what restores
 * and checks need still works.
 */
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { LocalSandboxDriver } from '../../harness/sandboxes/local.ts';
import type { Sandbox } from '../../harness/sandboxes/sandbox.ts';
import { sandboxSchema } from '../../harness/scenario/schema.ts';
import { skipBecause } from '../helpers/ci-skips.ts';
import { tempDir } from '../helpers/cli.ts';

/** Tries each syscall and prints `name result` (ok or the errno's name). */
const SYSCALLS_PY = String.raw`
import ctypes, errno, os
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
def sc(*args):
    r = libc.syscall(*[ctypes.c_long(a) for a in args])
    return 'ok' if r >= 0 else errno.errorcode[ctypes.get_errno()]
buf = ctypes.create_string_buffer(256)
at = ctypes.addressof(buf)
print('keyctl', sc(250, 0, -3, 1))
print('add_key', sc(248, at, at, 0, 0, -3))
print('io_uring_setup', sc(425, 1, at))
print('userfaultfd', sc(323, 1))
print('process_vm_readv', sc(310, os.getpid(), 0, 0, 0, 0, 0))
print('personality', sc(135, 0x0040000))
print('clone3', sc(435, 0, 0))
print('mount', sc(165, at, at, at, 0, 0))
print('ptrace', sc(101, 0, 0, 0, 0))
r = libc.syscall(ctypes.c_long(56), ctypes.c_long(0x10000000 | 17), ctypes.c_long(0), ctypes.c_long(0), ctypes.c_long(0), ctypes.c_long(0))
if r == 0: os._exit(0)
print('clone_newuser', 'ok' if r > 0 else errno.errorcode[ctypes.get_errno()])
os.setsid()
master, follower = os.openpty()
tty = os.open(os.ttyname(follower), os.O_RDWR)
c = ctypes.c_char(b'x')
print('tiocsti', sc(16, tty, 0x5412, ctypes.addressof(c)))
print('tiocsti_high_bits', sc(16, tty, 0x100005412, ctypes.addressof(c)))
print('tcgets', sc(16, tty, 0x5401, at))
print('personality_query', sc(135, 0xffffffff))
`;

/** What a restore or a check needs: threads (clone3 falls back to clone), fork, sockets, subprocesses. */
const NEEDED_PY = String.raw`
import os, socket, subprocess, threading
t = threading.Thread(target=lambda: None); t.start(); t.join()
pid = os.fork()
if pid == 0: os._exit(7)
assert os.waitpid(pid, 0)[1] >> 8 == 7
for family in (socket.AF_UNIX, socket.AF_INET, socket.AF_INET6): socket.socket(family, socket.SOCK_STREAM).close()
print(subprocess.run(['sh', '-c', 'echo sub'], capture_output=True, text=True).stdout.strip(), 'all ok')
`;

/** getpid through the i386 entry (int 0x80) from a 64-bit process. */
const I386_PY = String.raw`
import ctypes, mmap
m = mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
m.write(bytes.fromhex('b814000000cd80c3'))
print('i386 getpid', ctypes.CFUNCTYPE(ctypes.c_int)(ctypes.addressof(ctypes.c_char.from_buffer(m)))())
`;

describe('hostile programs against the local sandbox\'s seccomp filter', function () {
  this.timeout(60_000);
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let sandbox: Sandbox;
  let scripts: string;

  before(async function () {
    if (process.arch !== 'x64') skipBecause(this, `the seccomp filter is built for x86_64, this host is ${process.arch}`);
    tmp = await tempDir('rd-seccomp-');
    scripts = path.join(tmp.path, 'backup');
    await writeTree(scripts);
    const driver = new LocalSandboxDriver({ baseDir: path.join(tmp.path, 'sandboxes') });
    const probe = await driver.bubblewrap();
    if (!probe.ok) skipBecause(this, `${probe.reason} (apt-get install bubblewrap)`);
    sandbox = await driver.provision({ spec: sandboxSchema.parse({}), backupPaths: [scripts], scenario: 'seccomp', runId: 'test', logDir: path.join(tmp.path, 'logs') });
  });
  after(async () => {
    await sandbox?.dispose();
    await tmp?.remove();
  });

  async function writeTree(dir: string): Promise<void> {
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'syscalls.py'), SYSCALLS_PY);
    await writeFile(path.join(dir, 'needed.py'), NEEDED_PY);
    await writeFile(path.join(dir, 'i386.py'), I386_PY);
  }

  const exec = (command: string) => sandbox.exec(command, { timeoutMs: 20_000 });

  it('refuses keyrings, io_uring, userfaultfd, ptrace, process_vm, personality, mount, clone3, new user namespaces and TIOCSTI', async () => {
    const result = await exec(`python3 ${scripts}/syscalls.py`);
    assert.equal(result.exitCode, 0, result.stderr);
    const said = Object.fromEntries(result.stdout.trim().split('\n').map((line) => line.split(' ') as [string, string]));
    assert.deepEqual(said, {
      keyctl: 'EPERM', add_key: 'EPERM', io_uring_setup: 'ENOSYS', userfaultfd: 'EPERM', process_vm_readv: 'EPERM',
      personality: 'EPERM', clone3: 'ENOSYS', mount: 'EPERM', ptrace: 'EPERM', clone_newuser: 'EPERM',
      tiocsti: 'EPERM', tiocsti_high_bits: 'EPERM', tcgets: 'ok', personality_query: 'ok',
    });
  });

  it('refuses the tools: unshare -n, unshare -U and setarch -R fail with "Operation not permitted"', async () => {
    for (const tool of ['unshare -n true', 'unshare -U true', 'setarch -R true']) {
      const result = await exec(tool);
      assert.notEqual(result.exitCode, 0, tool);
      assert.match(result.stderr, /Operation not permitted/, `${tool}: ${result.stderr}`);
    }
  });

  it('ends a process that makes an i386 syscall (int 0x80) with SIGSYS', async () => {
    const result = await exec(`python3 ${scripts}/i386.py; echo "status $?"`);
    assert.doesNotMatch(result.stdout, /i386 getpid/);
    assert.match(result.stdout, /status 159/, 'killed by signal 31 (SIGSYS)');
  });

  it('keeps what restores and checks need working: threads, fork, sockets, subprocesses, tar, a pipeline', async () => {
    assert.equal((await exec(`python3 ${scripts}/needed.py`)).stdout.trim(), 'sub all ok');
    const tar = await exec('mkdir -p t/a && echo hi > t/a/f && tar -czf t.tgz t && rm -r t && tar -xzf t.tgz && cat t/a/f | sha256sum | cut -c1-8');
    assert.equal(tar.stdout.trim(), '98ea6e4f', tar.stderr);
  });

  it('says so in the sandbox\'s isolation notes', () => {
    assert.ok(sandbox.isolation.notes.some((note) => /seccomp filter .*keyrings.*TIOCSTI/.test(note)), sandbox.isolation.notes.join('\n'));
  });
});
