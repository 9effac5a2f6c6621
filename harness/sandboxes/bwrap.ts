/**
 * The local sandbox's confinement: Debian's bubblewrap (bwrap, the sandbox Flatpak uses). A command
 * gets new user, PID, mount, network, IPC and UTS namespaces, uid 65534 with no capabilities, and a
 * root of its own in which only /usr, a few /etc files, the backup (read-only) and the sandbox's own
 * folders (writable) exist. The host's /root, /home, /var, /run (the docker socket), /work and the
 * harness's /proc are not there. Folders keep their host paths inside, so paths need no translating.
 */
import { constants } from 'node:fs';
import { access, lstat, readlink } from 'node:fs/promises';
import path from 'node:path';
import { runProcess } from './process.ts';
import { probeSeccomp, seccompArgs, type SeccompChoice } from './seccomp-filter.ts';

export const SANDBOX_UID = 65534;
const PROBE_TIMEOUT_MS = 5000;
const PROBE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** What a shell and the engines (restic, borg, tar, psql) read from /etc; bound read-only where present. */
const ETC_FILES = [
  'ld.so.cache', 'ld.so.conf', 'ld.so.conf.d', 'alternatives', 'localtime', 'nsswitch.conf', 'hosts',
  'host.conf', 'gai.conf', 'services', 'protocols', 'ssl', 'ca-certificates', 'mime.types',
];
/** Top-level folders that are /usr's on merged-/usr systems (symlinks) and real folders elsewhere. */
const USR_LINKS = ['bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32'];

export interface BwrapLayout {
  /** Host files given as /etc/passwd and /etc/group (so that `id` and tools name uid 65534). */
  passwd: string;
  group: string;
  /** Backup paths of the host: bound read-only at the same path. */
  readOnly: string[];
  /** The sandbox's own folders (restore, home, tmp): bound writable at the same path. */
  writable: string[];
  /** Working folder of the command inside. */
  cwd: string;
}

export interface Bwrap {
  /** Absolute path of the bwrap program. */
  program: string;
  /** The arguments for `layout`, up to and including `--` before the command. */
  args(layout: BwrapLayout): string[];
  /** The seccomp filter bwrap reads on fd 3 (the `fd3` of runProcess), or why there is none. */
  seccomp: SeccompChoice;
}

/** Namespaces and privileges: the same for every command and for the probe. */
const CONFINEMENT = [
  '--unshare-user', '--uid', String(SANDBOX_UID), '--gid', String(SANDBOX_UID), '--disable-userns',
  '--unshare-pid', '--unshare-net', '--unshare-ipc', '--unshare-uts', '--unshare-cgroup-try',
  '--hostname', 'restore-drill', '--die-with-parent', '--new-session', '--cap-drop', 'ALL',
];

/**
 * bwrap maps the sandbox's uid to the user running the harness (root, often), so files that user owns
 * are the sandbox's too: /proc/sys is bound read-only over the new /proc so that no sysctl can be set.
 */
async function systemArgs(): Promise<string[]> {
  const args = ['--ro-bind', '/usr', '/usr'];
  for (const name of USR_LINKS) {
    const info = await lstat(`/${name}`).catch(() => undefined);
    if (info?.isSymbolicLink()) args.push('--symlink', await readlink(`/${name}`), `/${name}`);
    else if (info?.isDirectory()) args.push('--ro-bind', `/${name}`, `/${name}`);
  }
  for (const name of ETC_FILES) args.push('--ro-bind-try', `/etc/${name}`, `/etc/${name}`);
  args.push('--proc', '/proc', '--ro-bind', '/proc/sys', '/proc/sys', '--dev', '/dev', '--tmpfs', '/tmp');
  return args;
}

function layoutArgs(layout: BwrapLayout): string[] {
  const args = ['--ro-bind', layout.passwd, '/etc/passwd', '--ro-bind', layout.group, '/etc/group'];
  // Backups first: a sandbox folder that lies inside a backup folder is still writable, the rest not.
  // A backup path that does not exist has nothing to protect; the engine then says it is missing.
  for (const p of layout.readOnly) args.push('--ro-bind-try', path.resolve(p), path.resolve(p));
  for (const p of layout.writable) args.push('--bind', p, p);
  args.push('--remount-ro', '/', '--chdir', layout.cwd, '--');
  return args;
}

export type BwrapProbe = { ok: true; bwrap: Bwrap } | { ok: false; reason: string };

/** Finds bwrap on the harness's PATH and checks, once, that it can make the namespaces here. */
export async function probeBwrap(searchPath = process.env.PATH ?? PROBE_PATH): Promise<BwrapProbe> {
  const program = await findProgram('bwrap', searchPath);
  if (!program) return { ok: false, reason: 'bubblewrap (bwrap) is not installed' };
  const system = await systemArgs();
  const probe = [...CONFINEMENT, ...system, '--remount-ro', '/', '--', '/bin/true'];
  try {
    const result = await runProcess(program, probe, { env: { PATH: PROBE_PATH }, timeoutMs: PROBE_TIMEOUT_MS });
    if (result.exitCode !== 0) {
      const said = (result.stderr || result.stdout).trim().split('\n').slice(-2).join(' | ') || `exit ${result.exitCode}`;
      return { ok: false, reason: `bubblewrap cannot make a sandbox on this host (${result.timedOut ? 'it did not answer in time' : said}; user namespaces may be turned off)` };
    }
  } catch (err) {
    return { ok: false, reason: `bubblewrap could not be started: ${String(err)}` };
  }
  const seccomp = await probeSeccomp((args, fd3) => runProcess(program, [...args, ...probe], { env: { PATH: PROBE_PATH }, timeoutMs: PROBE_TIMEOUT_MS, fd3 }));
  return { ok: true, bwrap: { program, seccomp, args: (layout) => [...seccompArgs(seccomp), ...CONFINEMENT, ...system, ...layoutArgs(layout)] } };
}

async function findProgram(name: string, searchPath: string): Promise<string | undefined> {
  for (const dir of searchPath.split(':').filter((d) => path.isAbsolute(d))) {
    const candidate = path.join(dir, name);
    if (await access(candidate, constants.X_OK).then(() => true, () => false)) return candidate;
  }
  return undefined;
}
