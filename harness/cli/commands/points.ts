import type { Command } from 'commander';
import { formatBytes, formatDuration } from '../../units.ts';

export function registerPoints(program: Command): void {
  program
    .command('points')
    .description("list the restore points of a scenario's backup, newest first, with their age against the RPO target")
    .argument('<scenario>', 'a scenario file')
    .option('--json', 'print JSON')
    .action(async (file: string, flags: { json?: boolean }) => {
      const { loadScenario } = await import('../../scenario/load.ts');
      const { createSource } = await import('../../sources/index.ts');
      const scenario = await loadScenario(file);
      const points = await createSource(scenario).points();
      const now = Date.now();
      const rpo = scenario.spec.targets.rpo;
      const rows = points.map((p) => {
        const ageMs = now - p.time.getTime();
        return { id: p.id, time: p.time.toISOString(), ageMs, withinRpo: rpo === undefined ? undefined : ageMs <= rpo, sizeBytes: p.sizeBytes, location: p.location, host: p.host, paths: p.paths };
      });
      if (flags.json) {
        process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
        return;
      }
      process.stdout.write(`${scenario.spec.name}: ${rows.length} restore point${rows.length === 1 ? '' : 's'}${rpo !== undefined ? `, RPO target ${formatDuration(rpo)}` : ''}\n`);
      for (const row of rows) {
        const verdict = row.withinRpo === undefined ? '' : row.withinRpo ? '  within RPO' : '  OLDER THAN RPO';
        const size = row.sizeBytes !== undefined ? `  ${formatBytes(row.sizeBytes)}` : '';
        const origin = row.host !== undefined ? `  host ${row.host}` : '';
        const held = row.paths !== undefined ? `  ${row.paths.join(', ')}` : '';
        process.stdout.write(`${row.id}  ${row.time}  ${formatDuration(row.ageMs)} old${verdict}${size}${origin}${held}\n`);
      }
    });
}
