import assert from 'node:assert/strict';
import { formatBytes, formatDuration, parseDuration, parseSize } from '../../harness/units.ts';

describe('units', () => {
  it('parses durations in human units', () => {
    assert.equal(parseDuration('30m'), 30 * 60_000);
    assert.equal(parseDuration('2h'), 7_200_000);
    assert.equal(parseDuration('1h30m'), 5_400_000);
    assert.equal(parseDuration('500ms'), 500);
    assert.equal(parseDuration('1d'), 86_400_000);
  });

  it('rejects what is not a duration', () => {
    for (const text of ['soon', '30', '', 'm30', '3 weeks']) assert.equal(parseDuration(text), undefined, text);
  });

  it('parses sizes, binary by default', () => {
    assert.equal(parseSize('512m'), 512 * 1024 ** 2);
    assert.equal(parseSize('2g'), 2 * 1024 ** 3);
    assert.equal(parseSize('1GB'), 1e9);
    assert.equal(parseSize('100'), 100);
    assert.equal(parseSize('lots'), undefined);
  });

  it('formats durations and sizes for people', () => {
    assert.equal(formatDuration(450), '450ms');
    assert.equal(formatDuration(93_000), '1m33s');
    assert.equal(formatDuration(26 * 3_600_000), '1d2h');
    assert.equal(formatBytes(3 * 1024 * 1024), '3.0 MiB');
  });
});
