/**
 * Helpers for tests against the real Docker engine: whether one answers (else the suite is skipped,
 * saying why), what carries restore-drill labels (read with the docker CLI, as an operator would),
 * and the real CLI as a child process.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DockerSandboxDriver } from '../../harness/sandboxes/docker.ts';

const run = promisify(execFile);

export const REPO_ROOT = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const CLI_PATH = path.join(REPO_ROOT, 'harness', 'cli', 'main.ts');
export const BASE_IMAGE = 'restore-drill/base:latest';

/** Why docker tests cannot run here, or undefined when an engine answers and the base image exists. */
export async function dockerUnavailable(images: string[] = [BASE_IMAGE]): Promise<string | undefined> {
  const driver = new DockerSandboxDriver();
  const availability = await driver.available();
  if (!availability.ok) return `no Docker engine answers: ${availability.reason}`;
  for (const image of images) {
    if (!(await driver.client.inspectImage(image))) return `the image ${image} is missing: run "node harness/cli/main.ts images build"`;
  }
  return undefined;
}

/** Ids of containers (all states) carrying the label filter, e.g. restore-drill.scenario=x. */
export async function containersLabelled(filter: string): Promise<string[]> {
  const { stdout } = await run('docker', ['ps', '-a', '--filter', `label=${filter}`, '--format', '{{.ID}}']);
  return stdout.split('\n').filter(Boolean);
}

export async function networksLabelled(filter: string): Promise<string[]> {
  const { stdout } = await run('docker', ['network', 'ls', '--filter', `label=${filter}`, '--format', '{{.ID}}']);
  return stdout.split('\n').filter(Boolean);
}

export async function docker(args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run('docker', args);
    return { stdout, stderr, code: 0 };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; code?: number };
    return { stdout: e.stdout ?? '', stderr: e.stderr ?? '', code: typeof e.code === 'number' ? e.code : 1 };
  }
}

export async function scratchDir(prefix = 'rd-docker-test-'): Promise<{ path: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  return { path: dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

export interface CliRun {
  child: ChildProcess;
  /** Resolves with the exit code (or the signal's name) once the process ends. */
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
  /** Resolves when the combined output contains the text. */
  waitFor(text: string): Promise<void>;
}

/** Starts the real CLI; the caller may signal it while it runs. */
export function startCli(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 120_000): CliRun {
  const child = spawn(process.execPath, [CLI_PATH, ...args], { cwd: REPO_ROOT, env: { ...process.env, CI: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const waiters: { text: string; resolve(): void }[] = [];
  const onOutput = () => {
    for (const w of [...waiters]) {
      if ((stdout + stderr).includes(w.text)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  child.stdout!.on('data', (c: Buffer) => ((stdout += c.toString()), onOutput()));
  child.stderr!.on('data', (c: Buffer) => ((stderr += c.toString()), onOutput()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
  const waitFor = (text: string) =>
    new Promise<void>((resolve, reject) => {
      if ((stdout + stderr).includes(text)) return resolve();
      waiters.push({ text, resolve });
      void done.then(() => reject(new Error(`the CLI ended before printing "${text}":\n${stdout}\n${stderr}`)));
    });
  return { child, done, waitFor };
}
