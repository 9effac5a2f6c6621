/**
 * The local sandbox's seccomp filter, built here as a classic BPF program (no libseccomp) and handed to
 * bubblewrap (`--seccomp 3`). Modelled on Flatpak's (flatpak-run.c, setup_seccomp): a denylist of the
 * syscalls a restore or a check has no use for and that widen the kernel's attack surface or reach
 * past the namespaces (keyrings, mounts and namespaces, ptrace, io_uring, BPF, modules, kexec, TIOCSTI).
 * Everything else is allowed, so restic, borg, tar, sh, coreutils, psql and python3 work unchanged.
 * The numbers are x86_64's: on any other host architecture there is no filter (and the notes say so).
 */
import {
  encodeProgram, errno, jumpIfAnyBit, jumpIfEqual, load, ret, SECCOMP_DATA, SECCOMP_RET_ALLOW, SECCOMP_RET_KILL_PROCESS,
  type BpfInstruction,
} from './bpf.ts';

const AUDIT_ARCH_X86_64 = 0xc000003e;
/** Set in the number of an x32-ABI syscall (same arch as x86_64, its own numbers): refused. */
const X32_SYSCALL_BIT = 0x40000000;
const EPERM = 1;
const ENOSYS = 38;
const EAFNOSUPPORT = 97;
const CLONE_NEWUSER = 0x10000000;
const TIOCSTI = 0x5412;
const TIOCLINUX = 0x541c;
const PER_LINUX = 0;
const PERSONALITY_QUERY = 0xffffffff;
/** AF_UNSPEC, AF_UNIX, AF_INET, AF_INET6, AF_NETLINK: the socket families Flatpak keeps. */
const SOCKET_FAMILIES = [0, 1, 2, 10, 16];

/** A refused syscall; with `arg`, only when the low 32 bits of that argument match. */
export interface DeniedSyscall {
  name: string;
  nr: number;
  errno: number;
  arg?: { index: number } & ({ anyBit: number } | { oneOf: number[] } | { noneOf: number[] });
}

const plain = (errnum: number, table: Record<string, number>): DeniedSyscall[] =>
  Object.entries(table).map(([name, nr]) => ({ name, nr, errno: errnum }));

export const DENIED_SYSCALLS: readonly DeniedSyscall[] = [
  ...plain(EPERM, {
    syslog: 103, uselib: 134, acct: 163, quotactl: 179,
    add_key: 248, request_key: 249, keyctl: 250,
    move_pages: 279, mbind: 237, set_mempolicy: 238, get_mempolicy: 239, migrate_pages: 256,
    unshare: 272, setns: 308, mount: 165, umount2: 166, pivot_root: 155, chroot: 161,
    perf_event_open: 298, bpf: 321, userfaultfd: 323, ptrace: 101, process_vm_readv: 310, process_vm_writev: 311,
    kexec_load: 246, kexec_file_load: 320, init_module: 175, finit_module: 313, delete_module: 176,
    name_to_handle_at: 303, open_by_handle_at: 304, swapon: 167, swapoff: 168, reboot: 169,
  }),
  // ENOSYS, as if the kernel had none: programs then fall back (clone3 → clone, the new mount API → mount).
  ...plain(ENOSYS, {
    io_uring_setup: 425, io_uring_enter: 426, io_uring_register: 427,
    clone3: 435, open_tree: 428, move_mount: 429, fsopen: 430, fsconfig: 431, fsmount: 432, fspick: 433, mount_setattr: 442,
  }),
  { name: 'clone(CLONE_NEWUSER)', nr: 56, errno: EPERM, arg: { index: 0, anyBit: CLONE_NEWUSER } },
  // The kernel reads the command as an unsigned int: only the low 32 bits count (CVE-2019-10063).
  { name: 'ioctl(TIOCSTI, TIOCLINUX)', nr: 16, errno: EPERM, arg: { index: 1, oneOf: [TIOCSTI, TIOCLINUX] } },
  { name: 'personality(other than PER_LINUX)', nr: 135, errno: EPERM, arg: { index: 0, noneOf: [PER_LINUX, PERSONALITY_QUERY] } },
  { name: 'socket(other than unix, inet, inet6, netlink)', nr: 41, errno: EAFNOSUPPORT, arg: { index: 0, noneOf: SOCKET_FAMILIES } },
];

/** The filter for x86_64, as bwrap reads it. */
export function x86_64Filter(denied: readonly DeniedSyscall[] = DENIED_SYSCALLS): Buffer {
  return encodeProgram([
    load(SECCOMP_DATA.arch),
    // i386 (int 0x80) and other ABIs number their syscalls differently, so the denylist would not hold.
    jumpIfEqual(AUDIT_ARCH_X86_64, 1, 0),
    ret(SECCOMP_RET_KILL_PROCESS),
    load(SECCOMP_DATA.nr),
    jumpIfAnyBit(X32_SYSCALL_BIT, 0, 1),
    ret(errno(EPERM)),
    ...denied.flatMap(denial),
    ret(SECCOMP_RET_ALLOW),
  ]);
}

/**
 * One syscall's instructions; A holds the syscall number before and after. Without an argument test:
 * `jeq nr; ret errno`. With one: `jeq nr (else past the block); ld arg; tests; ret errno; ld nr`.
 */
function denial(rule: DeniedSyscall): BpfInstruction[] {
  const refuse = ret(errno(rule.errno));
  if (!rule.arg) return [jumpIfEqual(rule.nr, 0, 1), refuse];
  const tests = argumentTests(rule.arg);
  return [jumpIfEqual(rule.nr, 0, tests.length + 3), load(SECCOMP_DATA.argLow(rule.arg.index)), ...tests, refuse, load(SECCOMP_DATA.nr)];
}

/** Tests that fall through to the refusal on a match and skip it (to the reload of the number) otherwise. */
function argumentTests(arg: NonNullable<DeniedSyscall['arg']>): BpfInstruction[] {
  if ('anyBit' in arg) return [jumpIfAnyBit(arg.anyBit, 0, 1)];
  const values = 'oneOf' in arg ? arg.oneOf : arg.noneOf;
  const last = values.length - 1;
  return values.map((value, i) => {
    const toRefusal = last - i;
    const toReload = last - i + 1;
    if ('oneOf' in arg) return jumpIfEqual(value, toRefusal, i === last ? toReload : 0);
    return jumpIfEqual(value, toReload, i === last ? toRefusal : 0);
  });
}

export interface SeccompChoice {
  /** The program for bwrap's fd 3, or none. */
  filter?: Buffer;
  /** What the notes say about it. */
  note: string;
}

const FILTER_NOTE =
  'a seccomp filter (Flatpak\'s denylist) refuses keyrings, mount, unshare/setns, new user namespaces, ptrace, io_uring, bpf, perf, kernel modules, kexec, TIOCSTI and socket families other than unix/inet/netlink; a syscall of another ABI (i386, x32) ends the process or is refused';

/** The filter for this host's architecture, or why there is none. */
export function seccompForHost(arch: string = process.arch): SeccompChoice {
  if (arch !== 'x64') return { note: `no seccomp filter: it is built for x86_64 and this host is ${arch} (namespaces and dropped capabilities still apply)` };
  return { filter: x86_64Filter(), note: FILTER_NOTE };
}

/** bwrap's arguments for a filter passed on fd 3. */
export const seccompArgs = (choice: SeccompChoice): string[] => (choice.filter ? ['--seccomp', '3'] : []);

type Probe = (args: string[], fd3: Buffer) => Promise<{ exitCode: number; stdout: string; stderr: string; timedOut: boolean }>;

/** The host's filter, if bwrap can load it here (a kernel without seccomp filters cannot): checked once. */
export async function probeSeccomp(probe: Probe): Promise<SeccompChoice> {
  const choice = seccompForHost();
  if (!choice.filter) return choice;
  const result = await probe(seccompArgs(choice), choice.filter).catch((err: unknown) => ({ exitCode: -1, stdout: '', stderr: String(err), timedOut: false }));
  if (result.exitCode === 0) return choice;
  const said = result.timedOut ? 'it did not answer in time' : (result.stderr || result.stdout).trim().split('\n').at(-1) || `exit ${result.exitCode}`;
  return { note: `no seccomp filter: bubblewrap could not load it on this host (${said}); namespaces and dropped capabilities still apply` };
}
