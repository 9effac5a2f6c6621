/** Puts unit files in place: each written beside its final name and renamed over it, so a unit is never half-written. */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { InfrastructureError, errorMessage } from '../errors.ts';
import type { UnitFile } from './units.ts';

export async function installUnits(units: UnitFile[], dir: string): Promise<string[]> {
  const written: string[] = [];
  try {
    await mkdir(dir, { recursive: true });
    for (const unit of units) {
      const file = path.join(dir, unit.name);
      const partial = `${file}.partial`;
      await writeFile(partial, unit.text, { mode: 0o644 });
      await rename(partial, file).catch(async (err: unknown) => {
        await rm(partial, { force: true });
        throw err;
      });
      written.push(file);
    }
  } catch (err) {
    throw new InfrastructureError('SCHEDULE_UNWRITABLE', `The units could not be written into ${dir}: ${errorMessage(err)}. Run as root for ${'/etc/systemd/system'}, or give --dir a folder this user may write.`, { cause: err });
  }
  return written;
}
