/** `restore-drill images build [NAME...]`: builds the docker sandbox images from images/ (images/build.sh). */
import { spawn } from 'node:child_process';
import { readdir, access } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { InfrastructureError, UsageError } from '../../errors.ts';

export const IMAGES_DIR = path.resolve(fileURLToPath(new URL('../../../images', import.meta.url)));

/** The image recipes: folders of images/ with a Dockerfile. */
export async function imageRecipes(): Promise<string[]> {
  const names: string[] = [];
  for (const entry of await readdir(IMAGES_DIR, { withFileTypes: true }).catch(() => [])) {
    if (!entry.isDirectory()) continue;
    if (await access(path.join(IMAGES_DIR, entry.name, 'Dockerfile')).then(() => true, () => false)) names.push(entry.name);
  }
  return names.sort();
}

export function registerImages(program: Command): void {
  const images = program.command('images').description('the docker sandbox images (see images/README.md)');
  images
    .command('build')
    .description(
      'build the sandbox images restore-drill/NAME:latest from images/NAME (default: all). Where no container registry can be reached, ' +
        'the Debian base image is first made with debootstrap from the Debian mirror apt already uses (the air-gapped path)',
    )
    .argument('[names...]', 'images to build (base, postgres, pacs); an image\'s parent is built first when missing')
    .option('--force', 'rebuild even when an image is up to date')
    .action(async (names: string[], flags: { force?: boolean }) => {
      const known = await imageRecipes();
      const unknown = names.filter((n) => !known.includes(n));
      if (unknown.length > 0) throw new UsageError(`no image recipe named ${unknown.join(', ')}; known: ${known.join(', ')}`);
      process.exitCode = await buildImages(names, flags.force === true);
    });
  images.exitOverride();
  for (const command of images.commands) command.exitOverride();
}

async function buildImages(names: string[], force: boolean): Promise<number> {
  const { DockerSandboxDriver } = await import('../../sandboxes/docker.ts');
  const availability = await new DockerSandboxDriver().engineAvailable();
  if (!availability.ok) throw new InfrastructureError('DOCKER_UNREACHABLE', `Images cannot be built: ${availability.reason}`);
  const env = { ...process.env, ...(force ? { FORCE: '1' } : {}) };
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn('bash', [path.join(IMAGES_DIR, 'build.sh'), ...names], { stdio: 'inherit', env });
    child.on('error', reject);
    child.on('close', (status, signal) => resolve(status ?? (signal ? 130 : 1)));
  });
  if (code !== 0) {
    throw new InfrastructureError('IMAGE_BUILD_FAILED', `Building the images failed (images/build.sh exited ${code}); the lines above say why. See images/README.md.`);
  }
  return 0;
}
