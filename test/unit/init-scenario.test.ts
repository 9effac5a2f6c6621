/**
 * The scenario init writes (harness/init/): the text loads with the scenario loader and says what it
 * was made from; names from awkward paths, values YAML would misread, targets from the points' spacing,
 * the prompts (and no prompt without a terminal), and the schema line.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { parseScenario } from '../../harness/scenario/load.ts';
import { UsageError } from '../../harness/errors.ts';
import { scenarioDraft, sourceOnlyDraft, type DraftInputs } from '../../harness/init/draft.ts';
import { completeRequest, type Asker } from '../../harness/init/prompt.ts';
import { nameFrom, relativePath, sourceFields, type BackupRequest, type InitDraft } from '../../harness/init/request.ts';
import { schemaReference } from '../../harness/init/schema-reference.ts';
import { scenarioText } from '../../harness/init/scenario-text.ts';
import { proposeTargets } from '../../harness/init/targets.ts';
import type { RestorePoint } from '../../harness/sources/source.ts';

const HOUR = 3_600_000;
const DIR = '/srv/drills';
const nightly = (count: number, gapMs = 24 * HOUR): RestorePoint[] =>
  Array.from({ length: count }, (_, i) => ({ id: `night-${count - i}`, time: new Date(Date.UTC(2026, 11, 2, 3) - i * gapMs), location: '/backups' }));

function inputs(backup: BackupRequest, points = nightly(3)): DraftInputs {
  return {
    name: 'share',
    backup,
    source: sourceFields(backup, DIR),
    points,
    schema: './scenario.schema.json',
    files: backup.kind === 'pgdump' ? undefined : points.length > 1
      ? { form: 'template', manifest: 'share-manifests/{id}.sha256', folder: '.', point: points[0]!, stats: { files: 12, bytes: 4096 } }
      : { form: 'file', manifest: 'share.sha256', folder: '.', point: points[0]!, stats: { files: 12, bytes: 4096 } },
    targets: proposeTargets(points),
  };
}

const load = (text: string) => parseScenario(text, path.join(DIR, 'share.yaml')).spec;

describe('init: the scenario writer', () => {
  it('writes the schema line first, a comment above every section, and a scenario the loader takes as drafted', () => {
    const text = scenarioText(scenarioDraft(inputs({ kind: 'tar', location: '/backups/share-*.tar.gz' })));
    const lines = text.split('\n');
    assert.equal(lines[0], '# yaml-language-server: $schema=./scenario.schema.json');
    for (const key of ['name', 'system', 'source', 'sandbox', 'expect', 'targets']) {
      const at = lines.findIndex((line) => line.startsWith(`${key}:`));
      assert.ok(at > 0, `no ${key}`);
      assert.match(lines[at - 1]!, /^# /, `no comment above ${key}`);
    }
    const spec = load(text);
    assert.deepEqual(spec.source, { kind: 'tar', path: '../../backups/share-*.tar.gz' });
    assert.deepEqual(spec.expect.files, { manifest: 'share-manifests/{id}.sha256', path: '.', extra: 'forbid' });
    assert.equal(spec.targets.rpo, 27 * HOUR);
    assert.equal(spec.targets.rto, 4 * HOUR);
    assert.match(text, /^ {2}rto: 4h # .*placeholder/m);
    assert.match(text, /The manifest follows the point \({id}: the point's id\). init wrote the newest point's \(night-3: 12 files, 4.0 KiB\)/);
  });

  it('names the password variable or file, never a value, and says so', () => {
    const byEnv = scenarioText(scenarioDraft(inputs({ kind: 'restic', location: '/backups/restic', passwordEnv: 'SHARE_RESTIC_PW' })));
    const source = load(byEnv).source;
    assert.equal(source.kind === 'restic' && source.password_env, 'SHARE_RESTIC_PW');
    assert.match(byEnv, /environment variable SHARE_RESTIC_PW when the drill runs; it is never written here/);
    const byFile = load(scenarioText(scenarioDraft(inputs({ kind: 'borg', location: '/backups/borg', passwordFile: '/etc/restore-drill/borg.pass' }))));
    assert.deepEqual(byFile.source.kind === 'borg' && [byFile.source.password_file, byFile.source.repository], ['../../etc/restore-drill/borg.pass', '../../backups/borg']);
  });

  it('paths YAML would misread come back exactly as given', () => {
    for (const awkward of ['/backups/#1: share*.tar', '/backups/*&anchor', '/backups/- yes', "/backups/it's \"quoted\"", '/backups/紹介状 2026/{a,b}.tgz', '/backups/null', '/backups/ spaced ']) {
      const spec = load(scenarioText(scenarioDraft(inputs({ kind: 'tar', location: awkward }))));
      assert.equal(spec.source.kind === 'tar' && path.resolve(DIR, spec.source.path), path.resolve(awkward), awkward);
    }
  });

  it('a point that carries its manifest: manifest is { inside }, from the folder the files check starts at', () => {
    const draft = inputs({ kind: 'restic', location: '/backups/restic', passwordEnv: 'SHARE_PW' });
    draft.files = { form: 'inside', manifest: 'srv/share/.restore-drill.sha256', folder: 'srv/share', point: draft.points[0]! };
    const text = scenarioText(scenarioDraft(draft));
    assert.deepEqual(load(text).expect.files, { manifest: { inside: 'srv/share/.restore-drill.sha256' }, path: 'srv/share', extra: 'forbid' });
    assert.match(text, /the one the backup job writes into the data/);
  });

  it("a point id that holds line breaks (a hostile archive name) stays inside the comments: it cannot add fields", () => {
    for (const id of ['x\nnegative_control: false', 'x\rnegative_control: false', 'x\r\nnegative_control: false\n#', 'x\u2028negative_control: false', 'x\u0085negative_control: false']) {
      const points = nightly(2).map((p, i) => (i === 0 ? { ...p, id } : p));
      const text = scenarioText(scenarioDraft(inputs({ kind: 'tar', location: '/backups/*.tar' }, points)));
      const spec = load(text);
      assert.equal(spec.negative_control, true, JSON.stringify(id));
      assert.deepEqual(Object.keys(spec.expect), ['files'], JSON.stringify(id));
      assert.match(text, /the newest x\\u[0-9a-f]{4}/, 'the break is written escaped');
    }
    assert.doesNotMatch(scenarioText(scenarioDraft(inputs({ kind: 'tar', location: '/b/*.tar' }, nightly(2).map((p, i) => (i === 0 ? { ...p, id: 'x\u001b]0;pwned\u0007' } : p))))), /\u001b/);
  });

  it('a pgdump: the postgres image and an sql check instead of files', () => {
    const spec = load(scenarioText(scenarioDraft(inputs({ kind: 'pgdump', location: '/backups/billing.dump', database: 'billing' }))));
    assert.equal(spec.sandbox.image, 'restore-drill/postgres:latest');
    assert.equal(spec.expect.files, undefined);
    assert.equal(spec.expect.sql?.length, 1);
    assert.deepEqual(spec.source.kind === 'pgdump' && [spec.source.path, spec.source.database], ['../../backups/billing.dump', 'billing']);
  });

  it('one point: one manifest file, the nightly RPO; the source-only draft loads too', () => {
    const text = scenarioText(scenarioDraft(inputs({ kind: 'directory', location: '/backups/snapshot' }, nightly(1))));
    const spec = load(text);
    assert.deepEqual(spec.source, { kind: 'directory', path: '../../backups/snapshot' });
    assert.equal(spec.expect.files?.manifest, 'share.sha256');
    assert.match(text, /When the backup changes, write it again/);
    assert.equal(spec.targets.rpo, 26 * HOUR);
    assert.equal(load(scenarioText(sourceOnlyDraft('share', { kind: 'tar', path: 'x.tar' }, 's.json'))).name, 'share');
  });
});

describe('init: targets, names, paths', () => {
  it('the RPO follows the usual gap between points, with a tenth more, at least 1h', () => {
    assert.equal(proposeTargets(nightly(5)).rpo, '27h');
    assert.equal(proposeTargets(nightly(4, 6 * HOUR)).rpo, '7h');
    assert.equal(proposeTargets(nightly(3, 10 * 60_000)).rpo, '1h', 'never under an hour');
    assert.equal(proposeTargets(nightly(2, 0)).rpo, '26h', 'points of one time tell nothing');
  });

  it('names from file and folder names: lower-case, glob parts and archive suffixes left out', () => {
    assert.equal(nameFrom('/backups/share-*.tar.gz'), 'share');
    assert.equal(nameFrom('/srv/Restic Repo'), 'restic-repo');
    assert.equal(nameFrom('/dumps/billing.dump'), 'billing');
    assert.equal(nameFrom('/backups/紹介状/*.tgz'), 'backups');
    assert.equal(nameFrom('/'), 'backup');
  });

  it('paths are written relative to the scenario', () => {
    assert.equal(relativePath('/srv/drills', '/srv/backups/x.tar'), '../backups/x.tar');
    assert.equal(relativePath('/srv/drills', '/srv/drills'), '.');
  });

  it('the schema line: relative inside this copy, absolute outside it', () => {
    assert.equal(schemaReference('/opt/rd/scenarios', '/opt/rd'), './scenario.schema.json');
    assert.equal(schemaReference('/opt/rd/scenarios/site', '/opt/rd'), '../scenario.schema.json');
    assert.equal(schemaReference('/etc/restore-drill', '/opt/rd'), '/opt/rd/scenarios/scenario.schema.json');
  });
});

describe('init: what the flags left out', () => {
  const draft = (backup?: Partial<BackupRequest>): InitDraft => ({ backup, force: false, sandbox: 'local' });
  const answering = (...answers: string[]): Asker & { asked: string[] } => {
    const asked: string[] = [];
    return { asked, ask: async (q) => (asked.push(q), answers.shift() ?? ''), close: () => undefined };
  };

  it('without a terminal, a UsageError names the flag; nothing is asked', async () => {
    await assert.rejects(completeRequest(draft(), undefined), (err: unknown) => err instanceof UsageError && /--tar PATH\|GLOB, --dir PATH, --restic REPO/.test(err.message));
    await assert.rejects(completeRequest(draft({ kind: 'restic', location: '/r' }), undefined), /--restic needs --password-env VAR/);
    await assert.rejects(completeRequest(draft({ kind: 'pgdump', location: '/d.dump' }), undefined), /--pgdump needs --database NAME/);
  });

  it('with a terminal, asks for each missing field: the variable name, never the password', async () => {
    const asker = answering('restic', '/backups/restic', 'SHARE_PW');
    const request = await completeRequest(draft(), asker);
    assert.deepEqual(request.backup, { kind: 'restic', location: '/backups/restic', passwordEnv: 'SHARE_PW' });
    assert.equal(request.name, 'restic');
    assert.equal(request.output, 'restic.yaml');
    assert.match(asker.asked[2]!, /its name, not the password/);
    await assert.rejects(completeRequest(draft(), answering('zip')), /'zip' is not a kind of backup init knows/);
    await assert.rejects(completeRequest(draft({ kind: 'tar' }), answering('')), /--tar PATH\|GLOB: no answer was given/);
  });
});
