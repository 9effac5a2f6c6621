/**
 * Fills in what the flags left out. With a terminal attached, init asks (node:readline/promises); with
 * none (a script, CI, a cron job) it never waits for an answer: a UsageError names the missing flag.
 */
import { createInterface } from 'node:readline/promises';
import { UsageError } from '../errors.ts';
import { BACKUP_FLAGS, BACKUP_KINDS, nameFrom, type BackupKind, type BackupRequest, type InitDraft, type InitRequest } from './request.ts';

/** Asks one question and returns the answer, trimmed. */
export interface Asker {
  ask(question: string): Promise<string>;
  close(): void;
}

/**
 * An asker on the terminal, or undefined when stdin or stderr is not one. Lines are read in order
 * from one iterator, so answers typed or pasted ahead of their question are kept, not lost; the
 * input ending (Ctrl-D) is an answer not given.
 */
export function terminalAsker(): Asker | undefined {
  if (!process.stdin.isTTY || !process.stderr.isTTY) return undefined;
  const lines = createInterface({ input: process.stdin, output: process.stderr });
  const answers = lines[Symbol.asyncIterator]();
  let ended = false;
  lines.on('close', () => (ended = true));
  return {
    ask: async (question) => {
      if (ended) return '';
      lines.setPrompt(question);
      lines.prompt();
      const next = await answers.next().catch(() => ({ done: true as const, value: undefined }));
      return next.done ? '' : String(next.value).trim();
    },
    close: () => lines.close(),
  };
}

export async function completeRequest(draft: InitDraft, asker: Asker | undefined): Promise<InitRequest> {
  const backup = await completeBackup(draft.backup ?? {}, asker);
  const name = draft.name ?? nameFrom(backup.location);
  return { force: draft.force, sandbox: draft.sandbox, backup, name, output: draft.output ?? `${name}.yaml` };
}

async function completeBackup(given: Partial<BackupRequest>, asker: Asker | undefined): Promise<BackupRequest> {
  const kind = given.kind ?? (await askKind(asker));
  const location = given.location ?? (await required(asker, `Where is the backup (${BACKUP_FLAGS[kind]})? `, `init needs the backup: ${BACKUP_FLAGS[kind]}`));
  const backup: BackupRequest = { ...given, kind, location };
  if (kind === 'restic' && backup.passwordEnv === undefined && backup.passwordFile === undefined) {
    backup.passwordEnv = await required(
      asker,
      'Which environment variable holds the repository password (its name, not the password)? ',
      '--restic needs --password-env VAR (the environment variable that holds the repository password) or --password-file FILE',
    );
  }
  if (kind === 'pgdump' && backup.database === undefined) {
    backup.database = await required(asker, 'Which database is the dump loaded into (a name of letters, digits and _)? ', '--pgdump needs --database NAME (the database the dump is loaded into)');
  }
  return backup;
}

async function askKind(asker: Asker | undefined): Promise<BackupKind> {
  const flags = BACKUP_KINDS.map((k) => BACKUP_FLAGS[k]).join(', ');
  const answer = await required(asker, `What kind of backup (${BACKUP_KINDS.join(', ')})? `, `init needs the backup to describe: one of ${flags}`);
  const kind = answer === 'dir' ? 'directory' : answer;
  if (!BACKUP_KINDS.includes(kind as BackupKind)) throw new UsageError(`'${answer}' is not a kind of backup init knows: answer one of ${BACKUP_KINDS.join(', ')}`);
  return kind as BackupKind;
}

/** The answer to a question, or, without a terminal, a UsageError naming the flag to give. */
async function required(asker: Asker | undefined, question: string, missing: string): Promise<string> {
  if (!asker) throw new UsageError(`${missing} (no terminal is attached to ask for it)`);
  const answer = await asker.ask(question);
  if (answer === '') throw new UsageError(`${missing}: no answer was given`);
  return answer;
}
