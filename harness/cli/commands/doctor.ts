/** `restore-drill doctor`: what this host can do (the work is in ../doctor-command.ts, loaded when asked). */
import type { Command } from 'commander';

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('say what this host can do: Docker engine and version, sandbox images and their ids, restore tools inside them, local sandbox isolation')
    .action(async () => {
      const { diagnose, format } = await import('../doctor-command.ts');
      const lines = await diagnose((line) => process.stdout.write(format(line)));
      const problems = lines.filter((l) => !l.ok).length;
      process.stdout.write(problems === 0 ? '\nEverything restore-drill can use is here.\n' : `\n${problems} thing${problems === 1 ? '' : 's'} missing (marked ✘); the lines say what to do.\n`);
      process.exitCode = problems === 0 ? 0 : 3;
    });
}

