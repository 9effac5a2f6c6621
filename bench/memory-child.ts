/**
 * Runs the CLI in this process, as `restore-drill <args>` with no flags or NODE_OPTIONS, and writes
 * the time, this process's peak memory (workers included) and the young generation's size at the end
 * to <out.json>: `node bench/memory-child.ts <out.json> verify <tree> <manifest>`. Peak memory is VmHWM
 * from /proc: getrusage's maxrss would carry over the high-water mark of the parent that forked it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { getHeapSpaceStatistics } from 'node:v8';

export interface MemoryRun {
  ms: number;
  maxRssBytes: number;
  /** V8's new space (both halves) when the command ended: what grows with a high allocation rate. */
  newSpaceBytes: number;
  exitCode: number;
}

const [out, ...args] = process.argv.slice(2);
const started = performance.now();
process.on('exit', (code) => {
  const newSpace = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0;
  const run: MemoryRun = { ms: performance.now() - started, maxRssBytes: peakResidentBytes(), newSpaceBytes: newSpace, exitCode: code };
  writeFileSync(out!, JSON.stringify(run) + '\n');
});
const { main } = await import('../harness/cli/program.ts');
process.exitCode = await main(args);

function peakResidentBytes(): number {
  const hwm = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return hwm ? Number(hwm[1]) * 1024 : process.resourceUsage().maxRSS * 1024;
}
