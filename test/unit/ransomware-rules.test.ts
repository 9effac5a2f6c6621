import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { compareManifests } from '../../harness/ransomware/change.ts';
import { CONTENT_RULES, entropyRule, headerRule, notTextRule, trailerRule, type ContentSettings } from '../../harness/ransomware/content-rules.ts';
import { appendedExtension, typeOfName, type FileType } from '../../harness/ransomware/file-types.ts';
import { DEFAULT_SCAN_SETTINGS, scanTree } from '../../harness/ransomware/scan.ts';
import { FindingGroups } from '../../harness/ransomware/findings.ts';
import { loadIndicators } from '../../harness/ransomware/indicators.ts';
import { controlShare, shannonEntropy } from '../../harness/ransomware/measure.ts';
import { blockOffsets, type FileSample } from '../../harness/ransomware/sample.ts';
import { parseScenario } from '../../harness/scenario/load.ts';
import { ScenarioError } from '../../harness/errors.ts';
import { checkReferences } from '../../harness/scenario/references.ts';
import { Prng } from '../helpers/formats.ts';

const settings: ContentSettings = { entropyThreshold: 7.5, maxControlShare: 0.03 };

function sampleOf(data: Buffer, blockSize = 4096, blocksPerFile = 4): FileSample {
  const blocks = blockOffsets(data.length, { blockSize, blocksPerFile }).map((offset) => ({ offset, bytes: data.subarray(offset, offset + blockSize) }));
  return { size: data.length, blocks, bytesRead: blocks.reduce((n, b) => n + b.bytes.length, 0) };
}

function type(name: string): FileType {
  const found = typeOfName(name);
  assert.ok(found, `no type for ${name}`);
  return found;
}

describe('ransomware measures', () => {
  it('entropy is 0 for one repeated byte and 8 for every byte value equally often', () => {
    assert.equal(shannonEntropy(Buffer.alloc(4096, 0x41)), 0);
    const all = Buffer.alloc(4096);
    for (let i = 0; i < all.length; i++) all[i] = i % 256;
    assert.equal(shannonEntropy(all), 8);
  });

  it('random bytes have control bytes, UTF-8 and Shift_JIS text have none', () => {
    assert.ok(controlShare(new Prng(1).bytes(4096)) > 0.08);
    assert.equal(controlShare(Buffer.from('紹介状 患者氏名: 山田 太郎 様\r\n\t経過良好。\n'.repeat(50))), 0);
    // 「紹介状」 in Shift_JIS
    assert.equal(controlShare(Buffer.from('8f d0 89 ee 8f f3 0d 0a'.replace(/ /g, ''), 'hex')), 0);
  });
});

describe('ransomware file types', () => {
  it('takes the type from the last extension', () => {
    assert.equal(typeOfName('scans/a.pdf')?.name, 'pdf');
    assert.equal(typeOfName('scans/a.PDF')?.name, 'pdf');
    assert.equal(typeOfName('scans/a.pdf.x7k2q9w1b'), undefined);
    assert.equal(appendedExtension('scans/a.pdf.x7k2q9w1b')?.inner.name, 'pdf');
    assert.equal(appendedExtension('scans/a.pdf.x7k2q9w1b')?.outer, '.x7k2q9w1b');
    assert.equal(typeOfName('logs/a.log.gz')?.name, 'gzip');
    assert.equal(typeOfName('pacs/CT0001.dcm')?.name, 'dicom');
    assert.equal(typeOfName('README'), undefined);
    assert.equal(typeOfName('images/xray-1.raw'), undefined);
  });

  it('leaves files the user encrypted on purpose alone (.enc, .age)', () => {
    assert.equal(appendedExtension('db/billing.sql.enc'), undefined);
    assert.equal(appendedExtension('db/billing.sql.age'), undefined);
  });

  it('reports an appended extension only when many files of several types share it', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'appended-'));
    try {
      for (let i = 0; i < 6; i++) {
        writeFileSync(path.join(dir, `scan ${i}.pdf.qz7wk`), new Prng(i).bytes(100));
        writeFileSync(path.join(dir, `letter ${i}.txt.qz7wk`), new Prng(i).bytes(100));
        // Ordinary dotted names: many files, one inner type.
        writeFileSync(path.join(dir, `java.module${i}.xml.jmod`), 'JM');
        writeFileSync(path.join(dir, `java.sql${i}.sql.jmod`), 'JM');
      }
      const groups = new FindingGroups(100);
      await scanTree({ root: dir, settings: DEFAULT_SCAN_SETTINGS, indicators: await loadIndicators(), groups });
      const found = groups.list();
      const appended = found.filter((g) => g.rule === 'appended-extension');
      assert.deepEqual(appended.map((g) => [g.group, g.count, g.files[0]!.types]), [['.qz7wk', 12, 'pdf, text']]);
      // The renamed files are judged by the type they had: random bytes are neither a PDF nor text.
      assert.deepEqual(found.filter((g) => g.rule !== 'appended-extension').map((g) => [g.rule, g.group, g.count]).sort(), [['content-header', 'pdf', 6], ['not-text', 'text', 6]]);
      assert.ok(found.every((g) => g.files.every((f) => !f.path.includes('.jmod'))));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('ransomware sampling', () => {
  it('reads the head, the tail and fixed fractions, never more than the plan allows', () => {
    const plan = { blockSize: 4096, blocksPerFile: 4 };
    assert.deepEqual(blockOffsets(0, plan), []);
    assert.deepEqual(blockOffsets(100, plan), [0]);
    assert.deepEqual(blockOffsets(6000, plan), [0, 6000 - 4096]);
    const big = blockOffsets(10 * 1024 ** 4, plan);
    assert.equal(big.length, 4);
    assert.equal(big[0], 0);
    assert.equal(big[3], 10 * 1024 ** 4 - 4096);
    assert.deepEqual(blockOffsets(10 * 1024 ** 4, plan), big, 'the same size gives the same blocks');
    assert.deepEqual(blockOffsets(1 << 20, { blockSize: 4096, blocksPerFile: 1 }), [0]);
  });
});

describe('ransomware content rules', () => {
  const pdfBytes = Buffer.concat([Buffer.from('%PDF-1.7\n'), new Prng(3).bytes(20000), Buffer.from('\nstartxref\n123\n%%EOF\n')]);

  it('passes a PDF whose insides are compressed (near random) but whose header and trailer are right', () => {
    for (const rule of CONTENT_RULES) assert.equal(rule.judge(type('a.pdf'), sampleOf(pdfBytes), settings), undefined, rule.id);
  });

  it('names the expected header and the bytes found instead', () => {
    const encrypted = Buffer.concat([new Prng(4).bytes(4096), pdfBytes.subarray(4096)]);
    const evidence = headerRule.judge(type('a.pdf'), sampleOf(encrypted), settings);
    assert.ok(evidence);
    assert.match(evidence.expected, /%PDF-/);
    assert.equal(evidence.actualHex, encrypted.subarray(0, 16).toString('hex'));
    assert.ok(evidence.entropy! > 7.5, `entropy ${evidence.entropy}`);
  });

  it('finds DICM at offset 128 or says it is missing', () => {
    const dicom = Buffer.concat([Buffer.alloc(128), Buffer.from('DICM'), Buffer.alloc(1000, 1)]);
    assert.equal(headerRule.judge(type('x.dcm'), sampleOf(dicom), settings), undefined);
    const broken = Buffer.from(dicom);
    broken.write('XXXX', 128, 'latin1');
    const evidence = headerRule.judge(type('x.dcm'), sampleOf(broken), settings);
    assert.equal(evidence?.offset, 128);
    assert.equal(evidence?.actualHex?.slice(0, 8), Buffer.from('XXXX').toString('hex'));
  });

  it('catches a text file whose first kilobyte only was encrypted', () => {
    const text = Buffer.from('経過: 外来にて経過観察中。血圧 128/76 mmHg、症状の増悪なし。\n'.repeat(300));
    assert.equal(notTextRule.judge(type('a.txt'), sampleOf(text), settings), undefined);
    const attacked = Buffer.concat([new Prng(5).bytes(1024), text.subarray(1024)]);
    const evidence = notTextRule.judge(type('a.txt'), sampleOf(attacked), settings);
    assert.ok(evidence);
    assert.ok(evidence.offset! < 1024);
  });

  it('judges entropy of structured binaries only when every block past the head is near random', () => {
    const head = Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(4080)]);
    const oneRandomPage = Buffer.concat([head, Buffer.alloc(8192, 7), randomBytes(4096), Buffer.alloc(8192, 9)]);
    assert.equal(entropyRule.judge(type('a.sqlite'), sampleOf(oneRandomPage), settings), undefined);
    const allRandom = Buffer.concat([head, randomBytes(40000)]);
    const evidence = entropyRule.judge(type('a.sqlite'), sampleOf(allRandom), settings);
    assert.ok(evidence && evidence.entropy! > 7.5);
  });

  it('never judges formats that are compressed by nature by entropy', () => {
    const zip = Buffer.concat([Buffer.from('504b0304', 'hex'), randomBytes(30000), Buffer.from('504b0506', 'hex'), Buffer.alloc(18)]);
    for (const rule of CONTENT_RULES) assert.equal(rule.judge(type('a.zip'), sampleOf(zip), settings), undefined, rule.id);
    const gz = Buffer.concat([Buffer.from('1f8b08', 'hex'), randomBytes(30000)]);
    for (const rule of CONTENT_RULES) assert.equal(rule.judge(type('a.log.gz'), sampleOf(gz), settings), undefined, rule.id);
  });

  it('wants the end of a zip archive where zip readers look for it', () => {
    const cut = Buffer.concat([Buffer.from('504b0304', 'hex'), randomBytes(30000)]);
    assert.match(trailerRule.judge(type('a.docx'), sampleOf(cut), settings)?.expected ?? '', /end-of-central-directory/);
  });
});

describe('ransomware names', () => {
  it('matches known extensions and ransom notes, and spares look-alikes', async () => {
    const indicators = await loadIndicators();
    assert.equal(indicators.match('scans/a.pdf.lockbit')?.rule, 'name-extension');
    assert.equal(indicators.match('scans/a.pdf.lockbit')?.family, 'LockBit 2.0');
    assert.equal(indicators.match('share/Restore-My-Files.txt')?.rule, 'ransom-note');
    assert.equal(indicators.match('share/x7k2q9w1b.README.txt')?.family.startsWith('LockBit 3.0'), true);
    assert.equal(indicators.match('share/HOW_TO_DECRYPT_FILES.html')?.rule, 'ransom-note');
    for (const clean of ['docs/changelog.README.txt', 'how-to-restore-the-printer.txt', 'README (department share).txt', 'a.locked-room.pdf', 'project-readme.txt']) {
      assert.equal(indicators.match(clean), undefined, clean);
    }
  });

  it('adds a user file to the built-in list and says where each came from', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'indicators-'));
    try {
      const extra = path.join(dir, 'ours.yaml');
      writeFileSync(extra, 'source: our incident of 2026-10\nextensions:\n  - { ext: .kagi, family: our-incident }\nnotes:\n  - { name: 連絡してください.txt, family: our-incident }\n');
      const indicators = await loadIndicators([extra]);
      assert.equal(indicators.match('a/b.csv.kagi')?.file, extra);
      assert.equal(indicators.match('a/連絡してください.txt')?.rule, 'ransom-note');
      assert.equal(indicators.match('a/b.pdf.lockbit')?.rule, 'name-extension', 'the built-in list still applies');
      assert.deepEqual(indicators.files.map((f) => f.source)[1], 'our incident of 2026-10');
      writeFileSync(extra, 'extensions:\n  - { ext: kagi, family: x }\n');
      await assert.rejects(loadIndicators([extra]), (err: Error) => /source/.test(err.message) && /starting with a dot/.test(err.message) && err.message.includes(extra));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it('reads a user indicators file with the scenario YAML limits: aliases that explode, unknown tags, size', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'indicators-'));
    try {
      const file = path.join(dir, 'hostile.yaml');
      const laughs = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
      for (let i = 1; i < 8; i++) laughs.push(`${'abcdefgh'[i]}: &${'abcdefgh'[i]} [${Array(10).fill('*' + 'abcdefgh'[i - 1]).join(', ')}]`);
      writeFileSync(file, `source: x\n${laughs.join('\n')}\n`);
      await assert.rejects(loadIndicators([file]), (err: Error & { code?: string }) => err.code === 'INDICATORS_INVALID' && /aliases expand/.test(err.message) && /line \d+, column \d+/.test(err.message));
      writeFileSync(file, 'source: x\nextensions: !!binary aGVsbG8=\n');
      await assert.rejects(loadIndicators([file]), (err: Error) => /line 2, column \d+: YAML: the tag !!binary is not allowed/.test(err.message));
      writeFileSync(file, `source: x\n# ${'x'.repeat(1024 * 1024)}\n`);
      await assert.rejects(loadIndicators([file]), (err: Error) => /was not read: the indicators file is .* at most 1 MiB/.test(err.message));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('ransomware findings', () => {
  it('names a capped sample of files with the full count', () => {
    const groups = new FindingGroups(3);
    for (let i = 0; i < 25; i++) groups.add('content-header', 'pdf', `scan ${i}.pdf`, { expected: '"%PDF-"', actualHex: 'deadbeef' });
    const [finding] = groups.toFindings();
    assert.equal(finding!.rule, 'content-header');
    assert.match(finding!.message, /^25 pdf files do not start with the header.*scan 0\.pdf, scan 1\.pdf, scan 2\.pdf and 22 more$/);
    assert.equal((finding!.actual as { files: unknown[] }).files.length, 3);
  });
});

describe('change between points', () => {
  it('counts added, removed, modified and renamed files from two manifests', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'change-'));
    const d = (c: string) => c.repeat(64);
    try {
      const prev = path.join(dir, 'prev.sha256');
      const cur = path.join(dir, 'cur.sha256');
      writeFileSync(prev, [`${d('a')}  a.txt`, `${d('b')}  b.pdf`, `${d('c')}  c.csv`, `${d('d')}  d.txt`, `${d('e')}  old-name.txt`].join('\n') + '\n');
      writeFileSync(cur, [`${d('a')}  a.txt`, `${d('1')}  b.pdf.lockbit`, `${d('2')}  c.csv`, `${d('e')}  new-name.txt`, `${d('f')}  z-new.txt`].join('\n') + '\n');
      const change = await compareManifests(prev, cur);
      assert.deepEqual(
        { previous: change.previousFiles, current: change.currentFiles, added: change.added, removed: change.removed, modified: change.modified, renamed: change.renamed },
        { previous: 5, current: 5, added: 1, removed: 1, modified: 1, renamed: 2 },
      );
      assert.equal(change.rate, 5 / 5);
      assert.deepEqual(change.samples.renamed.sort(), ['b.pdf -> b.pdf.lockbit', 'old-name.txt -> new-name.txt']);
      assert.deepEqual(change.samples.removed, ['d.txt']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('expect.ransomware in a scenario', () => {
  const base = 'name: s\nsource: { kind: tar, path: x.tar }\n';
  it('takes the defaults, and settings written out', () => {
    const spec = parseScenario(`${base}expect:\n  ransomware: { sample: { max_files_per_type: 50 }, change: { usual_rate: 0.02 } }\n`, '/tmp/s.yaml').spec.expect.ransomware!;
    assert.equal(spec.scan, true);
    assert.equal(spec.sample.max_files_per_type, 50);
    assert.equal(spec.sample.block_size, 4096);
    assert.equal(spec.entropy_threshold, 7.5);
    assert.deepEqual(spec.change, { usual_rate: 0.02, burst_factor: 3, min_changed_files: 10 });
  });

  it('rejects a misspelt setting with its line', () => {
    assert.throws(
      () => parseScenario(`${base}expect:\n  ransomware: { entropy_treshold: 7 }\n`, '/tmp/s.yaml'),
      (err: ScenarioError) => err.problems.some((p) => p.field === 'expect.ransomware.entropy_treshold' && p.line === 4),
    );
  });

  it('validate names an indicators file that does not exist', async () => {
    const scenario = parseScenario(`name: s\nsource: { kind: tar, path: /etc/hostname }\nexpect:\n  ransomware:\n    indicators: [nope.yaml]\n`, '/tmp/s.yaml');
    const problems = await checkReferences(scenario);
    assert.deepEqual(problems.map((p) => [p.field, p.line]), [['expect.ransomware.indicators[0]', 5]]);
    assert.match(problems[0]!.message, /the indicators file \/tmp\/nope\.yaml does not exist/);
  });
});
