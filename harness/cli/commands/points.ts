import type { Command } from 'commander';

export function registerPoints(program: Command): void {
  program
    .command('points')
    .description("list the restore points of a scenario's backup, newest first, with their age against the RPO target and each one's last drill")
    .argument('<scenario>', 'a scenario file')
    .option('--results <dir>', 'the results folder whose result.json files say when each point was last drilled', 'results')
    .option('--json', 'print JSON')
    .action(async (file: string, flags: { json?: boolean; results: string }) => {
      const [{ formatBytes, formatDuration }, { formatLocalTime }] = await Promise.all([import('../../units.ts'), import('../../reporters/local-time.ts')]);
      const { loadScenario } = await import('../../scenario/load.ts');
      const { createSource } = await import('../../sources/index.ts');
      const { readResults, runsByPoint, localDay } = await import('../../drill/history.ts');
      const { withRedaction } = await import('../../secrets/run-redactor.ts');
      const scenario = await loadScenario(file);
      // Point ids, hosts and paths come from the backup: printed through the scenario's redactor.
      await withRedaction([scenario], async (redact) => {
        const points = await createSource(scenario).points();
        const { results } = await readResults(flags.results, { scenario: scenario.spec.name });
        const drilled = runsByPoint(results);
        const now = Date.now();
        const rpo = scenario.spec.targets.rpo;
        const rows = points.map((p) => {
          const ageMs = now - p.time.getTime();
          const last = drilled.get(p.id)?.at(-1);
          return {
            id: p.id,
            time: p.time.toISOString(),
            ageMs,
            withinRpo: rpo === undefined ? undefined : ageMs <= rpo,
            sizeBytes: p.sizeBytes,
            location: p.location,
            host: p.host,
            paths: p.paths,
            lastDrill: last && { runId: last.runId, startedAt: last.startedAt, verdict: last.verdict, drills: drilled.get(p.id)!.length },
          };
        });
        if (flags.json) {
          process.stdout.write(redact(JSON.stringify(rows, null, 2) + '\n'));
          return;
        }
        const tested = rows.filter((r) => r.lastDrill).length;
        process.stdout.write(redact(`${scenario.spec.name}: ${rows.length} restore point${rows.length === 1 ? '' : 's'}${rpo !== undefined ? `, RPO target ${formatDuration(rpo)}` : ''}, ${tested} drilled\n`));
        for (const row of rows) {
          const verdict = row.withinRpo === undefined ? '' : row.withinRpo ? '  within RPO' : '  OLDER THAN RPO';
          const size = row.sizeBytes !== undefined ? `  ${formatBytes(row.sizeBytes)}` : '';
          const origin = row.host !== undefined ? `  host ${row.host}` : '';
          const held = row.paths !== undefined ? `  ${row.paths.join(', ')}` : '';
          process.stdout.write(redact(`${row.id}  ${formatLocalTime(row.time)}  ${formatDuration(row.ageMs)} old${verdict}${size}${origin}${held}  ${row.lastDrill ? `tested ${localDay(row.lastDrill.startedAt)} ${row.lastDrill.verdict}` : 'never drilled'}\n`));
        }
      });
    });
}

