/** Source kinds by name: the one place a new backup engine is registered. */
import type { Scenario } from '../scenario/load.ts';
import type { SourceSpec } from '../scenario/schema.ts';
import { DirectorySource } from './directory.ts';
import type { BackupSource } from './source.ts';
import { TarSource } from './tar.ts';

export function createSource(scenario: Scenario): BackupSource {
  const spec: SourceSpec = scenario.spec.source;
  switch (spec.kind) {
    case 'directory':
      return new DirectorySource({ path: scenario.resolve(spec.path), time: spec.time });
    case 'tar':
      return new TarSource({ path: scenario.resolve(spec.path), time: spec.time });
  }
}

export { selectPoint, parsePointSelector, type BackupSource, type PointSelector, type RestorePoint } from './source.ts';
