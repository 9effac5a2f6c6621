/** The negative control in every report: console, junit.xml, report.html (ja and en). */
import assert from 'node:assert/strict';
import type { NegativeControl } from '../../harness/drill/result.ts';
import { describeResult } from '../../harness/reporters/console.ts';
import { renderReport } from '../../harness/reporters/html/report-page.ts';
import { junitXml } from '../../harness/reporters/junit.ts';
import { sampleResult } from './reporters.test.ts';

const vacuous: NegativeControl = {
  status: 'vacuous',
  checks: [
    { kind: 'files', name: 'files match x.sha256', method: 'manipulated-view', status: 'proven', summary: 'failed as it must on a copy: a.txt with byte 3 flipped (changed)' },
    { kind: 'command', name: 'true', method: 'empty-restore', status: 'vacuous', summary: 'passed on an empty restore: its command succeeds without the restored data' },
  ],
};
const passed: NegativeControl = { status: 'passed', checks: [vacuous.checks[0]!] };
const error = { code: 'CHECK_VACUOUS', kind: 'input', message: 'the command check "true" passed on an empty restore' };

describe('the negative control in the reports', () => {
  it('console: its status, and each check with how it was tried', () => {
    const text = describeResult(sampleResult({ verdict: 'ERROR', negativeControl: vacuous, error }));
    assert.match(text, /negative control: vacuous/);
    assert.match(text, /✘ command: true: passed on an empty restore/);
    assert.match(text, /✔ files: files match x\.sha256: failed as it must/);
    assert.match(describeResult(sampleResult({ negativeControl: { status: 'off', reason: 'negative_control: false in the scenario', checks: [] } })), /negative control: off \(negative_control: false/);
  });

  it('junit.xml: a vacuous control is an error testcase naming the check; a passed one a plain testcase', () => {
    const xml = junitXml(sampleResult({ verdict: 'ERROR', checks: [], negativeControl: vacuous, error }));
    assert.match(xml, /<testcase classname="share" name="negative control"[^>]*>\s*<error message="a check passed on nothing: command &quot;true&quot;" type="CHECK_VACUOUS">/);
    const ok = junitXml(sampleResult({ verdict: 'PASS', checks: [], negativeControl: passed }));
    assert.match(ok, /tests="2" failures="0" errors="0"/);
    assert.match(ok, /name="negative control"[^>]*>\s*<system-out>proven: files/);
  });

  it('report.html: a section in English and in Japanese', () => {
    const result = sampleResult({ verdict: 'ERROR', negativeControl: vacuous, error });
    const en = renderReport(result, { lang: 'en', evidence: { state: 'none' } });
    assert.match(en, /Negative control: proof that the checks can fail/);
    assert.match(en, /id="negative-control" data-status="vacuous"/);
    assert.match(en, /✘ VACUOUS<\/td><td>command<\/td><td>true<\/td><td>empty restore/);
    const ja = renderReport(sampleResult({ verdict: 'PASS', negativeControl: passed }), { lang: 'ja', evidence: { state: 'none' } });
    assert.match(ja, /陰性対照/);
    assert.match(ja, /data-status="passed"/);
    assert.match(ja, /✔ 確認済み<\/td><td>files<\/td><td>files match x\.sha256<\/td><td>改変したコピー/);
  });
});
