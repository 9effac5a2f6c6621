/**
 * How much a restore may write into the sandbox's restore folder: sandbox.restore_size, else the free
 * space of the folder's disk at the start less a margin. One budget per sandbox, enforced two ways:
 *  - what the harness writes itself (tar, directory) is charged before it is written (`charge`);
 *  - what a command writes (restic, borg, restore steps, checks) is watched while it runs (`during`):
 *    the disk's free space is polled with statfs (cheap, O(1)); when it has dropped by more than the
 *    budget, a walk of the restore folder confirms (other programs may write to the same disk), and
 *    the command is stopped.
 */
import { lstat, readdir, statfs } from 'node:fs/promises';
import { BackupError, InfrastructureError, type DrillError } from '../errors.ts';
import { formatBytes } from '../units.ts';

/** Without restore_size, this much of the disk is kept free: 10 % of its size, at least 1 GiB, at most 10 GiB. */
export function diskMargin(diskBytes: number): number {
  return Math.min(10 * 1024 ** 3, Math.max(1024 ** 3, Math.round(diskBytes * 0.1)));
}

const POLL_MS = 100;
/** A confirming walk of the restore folder at most this often (it is O(files)). */
const WALK_EVERY_MS = 2000;

interface DiskSpace {
  free: number;
  size: number;
}

async function diskSpace(dir: string): Promise<DiskSpace> {
  const s = await statfs(dir);
  return { free: s.bavail * s.bsize, size: s.blocks * s.bsize };
}

export class RestoreBudget {
  /** Bytes the restore may write; Infinity for no limit (fakes). */
  readonly limit: number;
  private readonly dir: string;
  private readonly explicit: boolean;
  private readonly startFree: number;
  private readonly margin: number;
  private charged = 0;

  private constructor(dir: string, limit: number, explicit: boolean, startFree: number, margin: number) {
    this.dir = dir;
    this.limit = limit;
    this.explicit = explicit;
    this.startFree = startFree;
    this.margin = margin;
  }

  /** The budget of a restore folder (still empty): restore_size when set, else the disk's free space less the margin. */
  static async open(dir: string, restoreSize: number | undefined): Promise<RestoreBudget> {
    const disk = await diskSpace(dir);
    const margin = diskMargin(disk.size);
    const limit = restoreSize ?? Math.max(0, disk.free - margin);
    return new RestoreBudget(dir, limit, restoreSize !== undefined, disk.free, margin);
  }

  static unlimited(dir: string): RestoreBudget {
    return new RestoreBudget(dir, Infinity, false, Infinity, 0);
  }

  /** What the limit is, for messages and results. */
  describe(): string {
    if (this.explicit) return `sandbox.restore_size (${formatBytes(this.limit)})`;
    if (this.limit === Infinity) return 'no limit';
    return `the free space of the disk of ${this.dir} (${formatBytes(this.startFree)} at the start) less the ${formatBytes(this.margin)} restore-drill keeps free (${formatBytes(this.limit)})`;
  }

  /** True when restore_size was set (a point known to be larger is refused before restoring). */
  get declared(): boolean {
    return this.explicit;
  }

  /** Refuses `what` of `bytes` when it does not fit in what is left, before anything of it is written. */
  refuseLarger(bytes: number, what: string): void {
    if (this.charged + bytes > this.limit) throw this.exceeded(`${what} (${formatBytes(bytes)})`, this.charged + bytes);
  }

  /** Counts bytes the harness is about to write for `what`; throws once past the limit. */
  charge(bytes: number, what: string): void {
    this.refuseLarger(bytes, what);
    this.charged += bytes;
  }

  /**
   * Runs a command (or any writer outside this process) while watching the restore folder's disk;
   * past the budget, the signal given to `run` is aborted with the error, which is thrown.
   */
  async during<T>(signal: AbortSignal | undefined, run: (signal: AbortSignal) => Promise<T>, what: string): Promise<T> {
    if (this.limit === Infinity) return run(signal ?? new AbortController().signal);
    const stop = new AbortController();
    const watcher = new DiskWatch(this, () => this.measureWritten(), (bytes) => stop.abort(this.exceeded(what, bytes)));
    const combined = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal;
    watcher.start();
    try {
      const result = await run(combined);
      await watcher.last();
      if (stop.signal.aborted) throw stop.signal.reason;
      return result;
    } catch (err) {
      if (stop.signal.aborted && !signal?.aborted) throw stop.signal.reason;
      throw err;
    } finally {
      watcher.stop();
    }
  }

  /** Free space lost since the budget was opened (an upper bound of what the restore wrote). */
  async diskUsed(): Promise<number> {
    return this.startFree - (await diskSpace(this.dir)).free;
  }

  /** What the restore folder holds, in allocated bytes (a walk; undefined where it cannot be read). */
  async measureWritten(): Promise<number | undefined> {
    return allocatedBytes(this.dir);
  }

  private exceeded(what: string, bytes: number): DrillError {
    const total = bytes > 0 ? ` (${formatBytes(bytes)} in all)` : '';
    if (this.explicit) {
      return new BackupError(
        'RESTORE_TOO_LARGE',
        `The restore went past ${this.describe()} at ${what}${total}, and was stopped. The backup is larger than the scenario declares, or is a decompression bomb: check its size, and raise sandbox.restore_size if it is right.`,
      );
    }
    return new InfrastructureError(
      'RESTORE_DISK_FULL',
      `The restore went past ${this.describe()} at ${what}${total}, and was stopped. Give the restore folder a disk with more room, or set sandbox.restore_size to the size you expect (a restore larger than it then FAILs).`,
    );
  }
}

/** Polls the disk's free space; past the limit, confirms with a walk, then calls onExceeded once. */
class DiskWatch {
  private timer: NodeJS.Timeout | undefined;
  private lastWalk = 0;
  private fired = false;
  private polling: Promise<void> | undefined;
  private readonly budget: RestoreBudget;
  private readonly walk: () => Promise<number | undefined>;
  private readonly onExceeded: (bytes: number) => void;

  constructor(budget: RestoreBudget, walk: () => Promise<number | undefined>, onExceeded: (bytes: number) => void) {
    this.budget = budget;
    this.walk = walk;
    this.onExceeded = onExceeded;
  }

  start(): void {
    this.timer = setInterval(() => {
      this.polling ??= this.poll().finally(() => (this.polling = undefined));
    }, POLL_MS);
    this.timer.unref();
  }

  /** One more look when the writer has ended (it may have written the excess between two polls). */
  async last(): Promise<void> {
    await this.polling;
    this.lastWalk = 0;
    await this.poll();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async poll(): Promise<void> {
    if (this.fired) return;
    const used = await this.budget.diskUsed().catch(() => 0);
    if (used <= this.budget.limit) return;
    const now = performance.now();
    if (now - this.lastWalk < WALK_EVERY_MS) return;
    this.lastWalk = now;
    // The disk is shared: only what the restore folder holds counts; unreadable parts count as the disk says.
    const written = (await this.walk()) ?? used;
    if (written > this.budget.limit && !this.fired) {
      this.fired = true;
      this.onExceeded(written);
    }
  }
}

/** Allocated bytes (st_blocks) under a folder, links not followed; undefined when a part cannot be read. */
async function allocatedBytes(root: string): Promise<number | undefined> {
  let total = 0;
  const slash = Buffer.from('/');
  const pending = [Buffer.from(root)];
  while (pending.length > 0) {
    const dir = pending.pop()!;
    let names: Buffer[];
    try {
      // Names are bytes: a name that is not UTF-8 is still found and counted.
      names = await readdir(dir, { encoding: 'buffer' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      return undefined;
    }
    for (const name of names) {
      const full = Buffer.concat([dir, slash, name]);
      const info = await lstat(full).catch(() => undefined);
      if (!info) continue;
      total += info.blocks * 512;
      if (info.isDirectory()) pending.push(full);
    }
  }
  return total;
}

/** The budget of a sandbox; one without (a test's fake) has no limit. */
export function budgetOf(sandbox: { budget?: RestoreBudget; hostRestoreDir: string }): RestoreBudget {
  return sandbox.budget ?? RestoreBudget.unlimited(sandbox.hostRestoreDir);
}
