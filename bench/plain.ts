/**
 * The best plain pipelines the bench compares with, as a capable administrator runs them: GNU tar or
 * restic to restore, then `openssl dgst -sha256` on every core (large files one a process so that they
 * spread over the cores, small ones 32 a process: their output, under 4 KiB, reaches the shared pipe in one write, so lines
 * of two processes never interleave), the digests compared with the manifest. And
 * `sha256sum -c`, the usual but slower way, kept as a second column.
 */
import { timeCommand, type Timed } from './measure.ts';

/** Hashes every file under the current folder in parallel and compares the digests with $MANIFEST. */
const PARALLEL_OPENSSL = `set -e
{ find . -type f -size +1M -print0 | xargs -0r -P"$CORES" -n1 openssl dgst -sha256 -r
  find . -type f ! -size +1M -print0 | xargs -0r -P"$CORES" -n32 openssl dgst -sha256 -r
} | sed 's| \\*\\./|  |' | LC_ALL=C sort > "$OUT"
LC_ALL=C sort "$MANIFEST" | cmp -s - "$OUT"`;

/** `find | xargs -P<cores> openssl dgst` + a compare with the manifest; fails when they differ. */
export function opensslVerify(dir: string, manifest: string, cores: number, scratch: string): Promise<Timed> {
  return timeCommand('sh', ['-c', PARALLEL_OPENSSL], { cwd: dir, env: { CORES: String(cores), MANIFEST: manifest, OUT: scratch } });
}

/** Only the hashing of the given files, `xargs -P<cores> -n1 openssl dgst`: the ceiling for anything that reads files. */
export function opensslHashFiles(files: string[], cores: number): Promise<Timed> {
  return timeCommand('sh', ['-c', 'printf "%s\\0" "$@" | xargs -0 -P"$CORES" -n1 openssl dgst -sha256 -r > /dev/null', 'sh', ...files], { env: { CORES: String(cores) } });
}

export function sha256sumVerify(dir: string, manifest: string): Promise<Timed> {
  return timeCommand('sha256sum', ['-c', '--quiet', manifest], { cwd: dir });
}

/** Two timed steps as one (a restore and its verification). */
export function sequence(first: Timed, second: Timed): Timed {
  return { ...second, ms: first.ms + second.ms, code: first.code || second.code, stderr: first.stderr + second.stderr };
}

/** openssl's SHA-256 limit for this many processes, bytes per second, from its 16 KiB column. */
export async function opensslSpeed(processes: number): Promise<number | undefined> {
  // -elapsed: divided by wall-clock time, as every other row is (the default divides by CPU time).
  const timed = await timeCommand('openssl', ['speed', '-elapsed', '-multi', String(processes), '-seconds', '3', '-evp', 'sha256']).catch(() => undefined);
  const line = timed?.stdout.split('\n').find((l) => /^sha256\s/i.test(l.trim()));
  const last = line?.trim().split(/\s+/).pop();
  return last ? Number(last.replace(/k$/, '')) * 1000 : undefined;
}
