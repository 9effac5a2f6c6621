/**
 * The local sandbox's seccomp filter as bytes: the encoder's instruction layout and jump checks, and
 * the x86_64 program run, byte for byte, through a small classic-BPF interpreter written here (the
 * kernel's own verdicts are the integration test's, hostile-seccomp.test.ts).
 */
import assert from 'node:assert/strict';
import { encodeProgram, errno, jumpIfEqual, load, ret, SECCOMP_RET_ALLOW, SECCOMP_RET_KILL_PROCESS } from '../../harness/sandboxes/bpf.ts';
import { DENIED_SYSCALLS, probeSeccomp, seccompForHost, x86_64Filter } from '../../harness/sandboxes/seccomp-filter.ts';
import { skipBecause } from '../helpers/ci-skips.ts';

const X86_64 = 0xc000003e;
const I386 = 0x40000003;
const EPERM = errno(1);
const ENOSYS = errno(38);

/** Runs an encoded filter on one seccomp_data (nr, arch, the arguments' 64-bit values). */
function run(program: Buffer, nr: number, args: bigint[] = [], arch = X86_64): number {
  const data = Buffer.alloc(64);
  data.writeInt32LE(nr, 0);
  data.writeUInt32LE(arch, 4);
  args.forEach((arg, i) => data.writeBigUInt64LE(BigInt.asUintN(64, arg), 16 + 8 * i));
  let a = 0;
  for (let pc = 0; pc < program.length / 8; pc++) {
    const code = program.readUInt16LE(pc * 8);
    const [jt, jf, k] = [program.readUInt8(pc * 8 + 2), program.readUInt8(pc * 8 + 3), program.readUInt32LE(pc * 8 + 4)];
    if (code === 0x20) a = data.readUInt32LE(k);
    else if (code === 0x06) return k;
    else if (code === 0x15) pc += a === k ? jt : jf;
    else if (code === 0x45) pc += (a & k) !== 0 ? jt : jf;
    else throw new Error(`unknown instruction ${code.toString(16)} at ${pc}`);
  }
  throw new Error('the program ran off its end');
}

describe('seccomp filter: the BPF encoder', () => {
  it('writes each instruction as u16 code, u8 jt, u8 jf, u32 k, little-endian', () => {
    const bytes = encodeProgram([load(4), jumpIfEqual(X86_64, 1, 0), ret(SECCOMP_RET_KILL_PROCESS), ret(SECCOMP_RET_ALLOW)]);
    assert.equal(bytes.toString('hex'), [
      '2000' + '00' + '00' + '04000000',
      '1500' + '01' + '00' + '3e0000c0',
      '0600' + '00' + '00' + '00000080',
      '0600' + '00' + '00' + '0000ff7f',
    ].join(''));
  });

  it('refuses jumps past the end, offsets over 255, and a program not ending in a return', () => {
    assert.throws(() => encodeProgram([jumpIfEqual(1, 0, 1), ret(0)]), /jumps out of the program/);
    assert.throws(() => encodeProgram([jumpIfEqual(1, 256, 0), ...Array.from({ length: 300 }, () => ret(0))]), /jumps out/);
    assert.throws(() => encodeProgram([ret(0), load(0)]), /must end with a return/);
    assert.throws(() => encodeProgram([]), /1 to 4096/);
  });
});

describe('seccomp filter: the x86_64 program', () => {
  const filter = x86_64Filter();

  it('kills a syscall of another architecture (i386 through int 0x80) and refuses the x32 ABI', () => {
    assert.equal(run(filter, 20, [], I386), SECCOMP_RET_KILL_PROCESS);
    assert.equal(run(filter, 0x40000000 | 250), EPERM);
    assert.equal(run(filter, 0x40000000 | 0), EPERM);
  });

  it('refuses every syscall of the denylist with its errno, and allows the ones programs need', () => {
    for (const denied of DENIED_SYSCALLS.filter((d) => !d.arg)) assert.equal(run(filter, denied.nr), denied.errno | 0x50000, denied.name);
    assert.equal(run(filter, 250), EPERM, 'keyctl');
    assert.equal(run(filter, 425), ENOSYS, 'io_uring_setup');
    assert.equal(run(filter, 435), ENOSYS, 'clone3: libc falls back to clone');
    // read, write, openat, execve, wait4, fork, mmap, getpid
    for (const nr of [0, 1, 257, 59, 61, 57, 9, 39]) assert.equal(run(filter, nr), SECCOMP_RET_ALLOW, `syscall ${nr}`);
  });

  it('tests arguments: clone with CLONE_NEWUSER, ioctl TIOCSTI/TIOCLINUX (low 32 bits), personality, socket families', () => {
    const CLONE_NEWUSER = 0x10000000n;
    const SIGCHLD = 17n;
    assert.equal(run(filter, 56, [CLONE_NEWUSER | SIGCHLD]), EPERM);
    assert.equal(run(filter, 56, [0x003d0f00n]), SECCOMP_RET_ALLOW, 'a thread (pthread_create)');
    assert.equal(run(filter, 56, [SIGCHLD]), SECCOMP_RET_ALLOW, 'fork');
    assert.equal(run(filter, 16, [0n, 0x5412n]), EPERM, 'TIOCSTI');
    assert.equal(run(filter, 16, [0n, 0x1_0000_5412n]), EPERM, 'TIOCSTI with high bits set (CVE-2019-10063)');
    assert.equal(run(filter, 16, [0n, 0x541cn]), EPERM, 'TIOCLINUX');
    assert.equal(run(filter, 16, [0n, 0x5401n]), SECCOMP_RET_ALLOW, 'TCGETS');
    assert.equal(run(filter, 135, [0n]), SECCOMP_RET_ALLOW, 'personality(PER_LINUX)');
    assert.equal(run(filter, 135, [0xffffffffn]), SECCOMP_RET_ALLOW, 'personality query');
    assert.equal(run(filter, 135, [0x0040000n]), EPERM, 'personality(ADDR_NO_RANDOMIZE)');
    for (const family of [0n, 1n, 2n, 10n, 16n]) assert.equal(run(filter, 41, [family, 1n]), SECCOMP_RET_ALLOW, `socket family ${family}`);
    for (const family of [17n, 38n, 40n, 15n]) assert.equal(run(filter, 41, [family, 1n]), errno(97), `socket family ${family}`);
  });

  it('is x86_64 only: another host architecture gets no filter and a note saying so', () => {
    const other = seccompForHost('arm64');
    assert.equal(other.filter, undefined);
    assert.match(other.note, /no seccomp filter.*x86_64.*arm64/);
    assert.ok(seccompForHost('x64').filter?.equals(filter));
  });

  it('passes the filter on fd 3, and where bwrap cannot load it gives none and says why', async function () {
    if (process.arch !== 'x64') skipBecause(this, `the seccomp filter is built for x86_64, this host is ${process.arch}`);
    const seen: string[][] = [];
    const loaded = await probeSeccomp(async (args, fd3) => (seen.push(args), assert.ok(fd3.equals(filter)), { exitCode: 0, stdout: '', stderr: '', timedOut: false }));
    assert.deepEqual(seen, [['--seccomp', '3']]);
    assert.ok(loaded.filter?.equals(filter));
    const refused = await probeSeccomp(async () => ({ exitCode: 1, stdout: '', stderr: 'bwrap: prctl(PR_SET_SECCOMP): Invalid argument\n', timedOut: false }));
    assert.equal(refused.filter, undefined);
    assert.match(refused.note, /no seccomp filter: bubblewrap could not load it on this host \(bwrap: prctl\(PR_SET_SECCOMP\): Invalid argument\)/);
  });
});
