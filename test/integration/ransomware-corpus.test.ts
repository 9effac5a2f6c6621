/**
 * False alarms count as much as misses: the real check on a corpus made by code, clean and then
 * after each simulated attack. Prints both rates.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { evaluateCorpus, formatEvaluation, type CorpusEvaluation } from '../helpers/corpus-eval.ts';
import { makePoint } from '../helpers/corpus.ts';
import { skipBecause } from '../helpers/ci-skips.ts';

function has(tool: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status === 0;
}

describe('ransomware indicators on a corpus (integration)', function () {
  this.timeout(300_000);
  let evaluation: CorpusEvaluation;

  before(async () => {
    evaluation = await evaluateCorpus();
    process.stdout.write(formatEvaluation(evaluation).replace(/^/gm, '      ') + '\n');
  });

  it('flags no clean file and no clean point', () => {
    const flagged = evaluation.clean.flatMap((p) => p.flagged.map((f) => `${p.id}: ${f}`));
    assert.deepEqual(flagged, []);
    assert.equal(evaluation.cleanPointsFlagged, 0, evaluation.clean.map((p) => p.result.summary).join('\n'));
    assert.equal(evaluation.falseAlarmRate, 0);
  });

  it('catches every attacked point', () => {
    const missed = evaluation.attacked.filter((p) => !p.caught).map((p) => p.attack);
    assert.deepEqual(missed, []);
    assert.equal(evaluation.missRate, 0);
  });

  it('catches intermittent encryption from the first blocks, naming content rules', () => {
    for (const kind of ['encrypt-first-4k', 'encrypt-first-1k', 'encrypt-stripes']) {
      const p = evaluation.attacked.find((e) => e.attack === kind)!;
      assert.ok(p.rules.includes('content-header') && p.rules.includes('not-text'), `${kind}: ${p.rules.join(', ')}`);
      assert.equal(p.firstEvidenceOffset, 0, kind);
      // Every attacked file of a known type is named (the raw file of unknown type is judged by name only).
      assert.ok(p.touchedFlagged! >= p.touched! - 1, `${kind}: ${p.touchedFlagged}/${p.touched}`);
    }
  });

  it('catches encryption that spares the headers by trailers and entropy', () => {
    const p = evaluation.attacked.find((e) => e.attack === 'encrypt-after-header')!;
    assert.ok(p.caught);
    assert.ok(p.rules.includes('entropy') && p.rules.includes('content-trailer'), p.rules.join(', '));
  });

  it('names ransom notes and ransomware extensions', () => {
    assert.deepEqual(evaluation.attacked.find((e) => e.attack === 'notes-only')!.rules, ['ransom-note']);
    assert.ok(evaluation.attacked.find((e) => e.attack === 'encrypt-rename-known')!.rules.includes('name-extension'));
  });

  it('sees a burst of change against the previous point, and none between clean points', () => {
    assert.ok(evaluation.attacked.filter((e) => e.attack !== 'notes-only').every((e) => e.rules.includes('change-burst')));
    assert.ok(evaluation.clean.every((e) => !e.rules.includes('change-burst')));
  });
});

describe('the corpus is made of real files (integration)', function () {
  this.timeout(120_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'corpus-formats-'));
    makePoint(dir, 0);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('DICOM files parse with dcmtk', function () {
    if (!has('dcmdump')) skipBecause(this, 'dcmtk (dcmdump) is not installed on this host (.ci/run installs it)');
    const out = spawnSync('dcmdump', [path.join(dir, 'pacs/CT0001.dcm')], { encoding: 'utf8' });
    assert.equal(out.status, 0, out.stderr);
    assert.match(out.stdout, /=LittleEndianExplicit +#.*TransferSyntaxUID/);
    assert.match(out.stdout, /\[YAMADA\^TARO\] +#.*PatientName/);
    assert.match(out.stdout, /# 9216, 1 PixelData/);
  });

  it('DOCX and ZIP files test clean with unzip', function () {
    if (!has('unzip')) skipBecause(this, 'unzip is not installed on this host (.ci/run installs it)');
    for (const file of ['office/紹介状テンプレート1.docx', 'office/外来予約.xlsx', 'archive/keys-escrow.zip']) {
      const out = spawnSync('unzip', ['-t', path.join(dir, file)], { encoding: 'utf8' });
      assert.equal(out.status, 0, `${file}: ${out.stdout}`);
    }
  });

  it('the SQLite database answers', async () => {
    const { DatabaseSync } = await import('node:sqlite');
    const db = new DatabaseSync(path.join(dir, 'db/records.sqlite'), { readOnly: true });
    try {
      assert.equal((db.prepare('SELECT count(*) AS n FROM patients').get() as { n: number }).n, 600);
    } finally {
      db.close();
    }
  });
});
