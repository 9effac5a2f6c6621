import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ExecLog } from '../../harness/sandboxes/exec-log.ts';
import { Redactor, formsOf } from '../../harness/secrets/redactor.ts';

describe('the redactor', () => {
  it('replaces every occurrence of a secret with its marker', () => {
    const r = new Redactor().add('DB_PASSWORD', 'correct-horse');
    assert.equal(r.text('pw=correct-horse; again correct-horse.'), 'pw=[secret:DB_PASSWORD]; again [secret:DB_PASSWORD].');
    assert.equal(r.text('nothing here'), 'nothing here');
  });

  it('blots out overlapping secrets as one span, leaving no piece of either', () => {
    const r = new Redactor().add('A', 'abcdefgh').add('B', 'efghijkl');
    assert.equal(r.text('<abcdefghijkl>'), '<[secret:A]>');
    assert.equal(r.text('<efghijklmnop>'), '<[secret:B]mnop>');
    const nested = new Redactor().add('SHORTER', 'horse-battery').add('LONGER', 'correct-horse-battery-staple');
    assert.equal(nested.text('x correct-horse-battery-staple y horse-battery z'), 'x [secret:LONGER] y [secret:SHORTER] z');
  });

  it('catches a secret repeated into itself (overlapping occurrences of one value)', () => {
    const r = new Redactor().add('S', 'aaaaaaaa');
    assert.equal(r.text('aaaaaaaaaaa!'), '[secret:S]!');
  });

  it('redacts strings inside a value before it is serialized, so a secret with " or \\ is caught', () => {
    const secret = 'p"ss\\w0rd-x';
    const r = new Redactor().add('PW', secret);
    const event = { reason: `said ${secret}`, nested: [{ stdout: secret }], [`file-${secret}`]: 1, count: 3, none: null };
    const out = JSON.stringify(r.value(event));
    assert.ok(!out.includes(JSON.stringify(secret).slice(1, -1)), out);
    assert.deepEqual(JSON.parse(out), { reason: 'said [secret:PW]', nested: [{ stdout: '[secret:PW]' }], 'file-[secret:PW]': 1, count: 3, none: null });
    assert.equal(event.reason, `said ${secret}`, 'the original is left as it was');
  });

  it('catches the JSON-escaped form in text already serialized (a command that printed JSON)', () => {
    const secret = 'p"ss\\w0rd-x';
    const r = new Redactor().add('PW', secret);
    assert.equal(r.text(JSON.stringify({ token: secret })), '{"token":"[secret:PW]"}');
  });

  it('catches the URL-encoded and base64 forms, also base64 of the value followed by a newline', () => {
    const secret = 'Rd"Pw/4f9a+1c s3cr3t?&=';
    const r = new Redactor().add('PW', secret);
    assert.equal(r.text(`url=https://h/?p=${encodeURIComponent(secret)}`), 'url=https://h/?p=[secret:PW]');
    assert.equal(r.text(Buffer.from(secret).toString('base64')), '[secret:PW]');
    const withNewline = Buffer.from(secret + '\n').toString('base64');
    assert.ok(!r.text(withNewline).includes(Buffer.from(secret).toString('base64').slice(0, 8)), r.text(withNewline));
    assert.ok(formsOf(secret).every((form) => form.length >= 8));
  });

  it('leaves an error its class and code, with the message and stack redacted', () => {
    const r = new Redactor().add('PW', 'correct-horse');
    const err = Object.assign(new TypeError('could not: correct-horse'), { code: 'X' });
    assert.equal(r.error(err), err);
    assert.equal(err.message, 'could not: [secret:PW]');
    assert.ok(!err.stack!.includes('correct-horse'));
  });

  it('exec.log blots out the run\'s secrets from any command, and a command\'s own environment values', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'rd-execlog-'));
    try {
      const log = new ExecLog(dir, new Redactor().add('PW', 'correct-horse'));
      const result = { exitCode: 0, stdout: 'correct-horse\n', stderr: 'token battery-staple\n', durationMs: 1, timedOut: false };
      await log.record('cat note.txt', result);
      await log.record('restic restore', result, { RESTIC_PASSWORD: 'battery-staple', FLAG: 'yes' });
      const text = await readFile(path.join(dir, 'exec.log'), 'utf8');
      assert.ok(!text.includes('correct-horse'), text);
      assert.equal(text.split('battery-staple').length, 2, 'only the command that had it in its environment blots it out');
      assert.match(text, /\[secret:PW\][\s\S]*\[secret:RESTIC_PASSWORD\]/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
