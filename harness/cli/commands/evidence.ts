import path from 'node:path';
import type { Command } from 'commander';
import type { VerifyReport } from '../../evidence/verify.ts';
import { UsageError } from '../../errors.ts';

export function registerEvidence(program: Command): void {
  const evidence = program.command('evidence').description('signed, chained evidence of drills (evidence.json)');
  evidence
    .command('verify')
    .description('check evidence.json files: signature, the result.json they bind, and each scenario\'s chain of runs. PATH is an evidence.json, a run folder, a scenario folder or a results tree')
    .argument('<paths...>', 'evidence files or folders')
    .option('--key <file>', "the signer's public key (PEM); default: the configured key pair's public key; repeat for several keys", (file: string, files: string[] = []) => [...files, file])
    .option('--anchor <file>', 'the evidence anchor the runs were appended to (evidence-anchor.log); default: the configured one, or the one beside the signing key')
    .option('--no-anchor', 'verify the files alone (deleting the newest runs, or all evidence of a scenario, is then not detected)')
    .option('--backups', 'also digest each drilled backup where it was found and compare it with the signed digest (reads every backup: slow for large ones)')
    .option('--json', 'print the report as JSON')
    .addHelpText('after', '\nExit codes: 0 every evidence, chain and anchored run verified; 1 something failed (each problem is named); 64 bad usage, or no public key to verify with; 3 a key, or a given or configured anchor, that cannot be read.')
    .action(async (paths: string[], flags: { key?: string[]; json?: boolean; backups?: boolean; anchor?: string | boolean }) => {
      const [{ trustedKeys }, { verifyPaths }, { findAnchor }] = await Promise.all([import('../../evidence/keys.ts'), import('../../evidence/verify.ts'), import('../../evidence/anchor.ts')]);
      const { keys, from } = await trustedKeys(flags.key ?? []);
      const anchor = await findAnchor(flags.anchor, keys);
      const report = await verifyPaths(paths, keys, { backups: flags.backups, anchor: anchor.read });
      if (report.files.length === 0 && report.chains.length === 0 && !report.anchor?.problems.length) throw new UsageError(`no evidence.json found in ${paths.join(', ')}`);
      process.stdout.write(flags.json ? JSON.stringify(jsonReport(report, anchor.why), null, 2) + '\n' : describe(report, from, anchor.why));
      process.exitCode = report.ok ? 0 : 1;
    });
  evidence
    .command('points')
    .description('list every restore point of a scenario\'s backup with the runs that proved it, each run\'s signed evidence verified: was the point we would restore today ever tested?')
    .argument('<scenario>', 'a scenario file')
    .option('--results <dir>', 'the results folder', 'results')
    .option('--key <file>', "the signer's public key (PEM); default: the configured key pair's; without one, evidence is listed unverified", (file: string, files: string[] = []) => [...files, file])
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExit codes: 0 listed; 1 some evidence did not verify (each problem is named).')
    .action(async (file: string, flags: { results: string; key?: string[]; json?: boolean }) => {
      const { evidencePointsCommand } = await import('../evidence-points-command.ts');
      process.exitCode = await evidencePointsCommand({ scenario: file, results: flags.results, keys: flags.key ?? [], json: flags.json });
    });
  evidence.exitOverride();
  for (const command of evidence.commands) command.exitOverride();
}

function rel(file: string): string {
  return path.relative(process.cwd(), file) || file;
}

function describe(report: VerifyReport, from: string[], noAnchor: string | undefined): string {
  const lines = [`verifying with ${from.map(rel).join(', ')}`];
  for (const f of report.files) {
    const s = f.statement?.predicate;
    const p = f.plan?.predicate;
    const what = s ? ` (${s.result.scenario.name} run ${s.chain.sequence}, ${s.result.verdict})` : p ? ` (plan ${p.plan.plan.name} run ${p.chain.sequence}, ${p.plan.verdict})` : '';
    if (f.ok) lines.push(`ok    ${rel(f.file)}${what}, signed by ${f.keyid}`);
    else for (const p of f.problems) lines.push(`FAIL  ${rel(f.file)}${what}: ${p}`);
    for (const n of f.notes) lines.push(`note  ${rel(f.file)}${what}: ${n}`);
  }
  for (const c of report.chains) {
    for (const p of c.problems) lines.push(`FAIL  chain ${rel(c.scenarioDir)}: ${p}`);
    for (const w of c.warnings) lines.push(`note  chain ${rel(c.scenarioDir)}: ${w}`);
    if (c.head) lines.push(`chain ${rel(c.scenarioDir)}: ${c.runs} signed run${c.runs === 1 ? '' : 's'}, head ${c.head.runId} sha256:${c.head.sha256}${report.anchor ? '' : ' (not anchored: removing the newest runs is only detected against an anchor, or this head recorded elsewhere)'}`);
  }
  lines.push(...describeAnchor(report, noAnchor));
  const failed = report.files.filter((f) => !f.ok).length + report.chains.reduce((n, c) => n + c.problems.length, 0) + (report.anchor?.problems.length ?? 0);
  const verdict = failed === 0 ? 'no evidence.json found: nothing here is signed' : `${failed} problem${failed === 1 ? '' : 's'}`;
  lines.push(report.ok ? `verified: ${report.files.length} evidence file${report.files.length === 1 ? '' : 's'}` : `NOT VERIFIED: ${verdict}`);
  return lines.join('\n') + '\n';
}

function describeAnchor(report: VerifyReport, noAnchor: string | undefined): string[] {
  const a = report.anchor;
  if (!a) return [`note  ${noAnchor ?? 'no anchor was read'}`, ...report.unchecked.map((u) => `not checked: ${u}`)];
  const lines = [...a.problems.map((p) => `FAIL  anchor ${rel(a.file)}: ${p}`), ...a.warnings.map((w) => `note  anchor ${rel(a.file)}: ${w}`)];
  const scope = a.scenarios.length ? ` of ${a.scenarios.join(', ')}` : '';
  lines.push(`anchor ${rel(a.file)}: ${a.lines} line${a.lines === 1 ? '' : 's'}${a.problems.length ? '' : `, every anchored run${scope} is here and matches`}`);
  return lines;
}

function jsonReport(report: VerifyReport, noAnchor: string | undefined) {
  return {
    ok: report.ok,
    anchor: report.anchor ?? null,
    unchecked: report.anchor ? [] : [noAnchor, ...report.unchecked].filter(Boolean),
    files: report.files.map((f) => ({ file: f.file, ok: f.ok, problems: f.problems, notes: f.notes, sha256: f.sha256, keyid: f.keyid, runId: f.statement?.predicate.result.runId ?? f.plan?.predicate.plan.runId, sequence: (f.statement ?? f.plan)?.predicate.chain.sequence })),
    chains: report.chains,
  };
}
