import { describe, expect, it } from 'vitest';
import { csvField } from '../../core/services/traffic.js';

describe("the commissioners' CSV never hands a spreadsheet a formula (OWASP CSV injection)", () => {
  it.each([
    ['=1+1', "'=1+1"],
    ['+44 1234', "'+44 1234"],
    ['-2', "'-2"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\t=1+1', "'\t=1+1"],
    ['\r=1+1', '"\'\r=1+1"'],
    ['\n=1+1', '"\'\n=1+1"'],
  ])('neutralises %j', (text, cell) => {
    expect(csvField(text)).toBe(cell);
  });

  it.each([
    ['a bare CR', 'line\rbreak', '"line\rbreak"'],
    ['a LF', 'line\nbreak', '"line\nbreak"'],
    ['a comma', 'Smith, J', '"Smith, J"'],
    ['a quote', 'the "team"', '"the ""team"""'],
  ])('quotes a cell holding %s', (_what, text, cell) => {
    expect(csvField(text)).toBe(cell);
  });

  it('leaves plain text and the numbers it counts as they are', () => {
    expect(csvField('Watling Street PCN')).toBe('Watling Street PCN');
    expect(csvField(-3)).toBe('-3');
    expect(csvField(undefined)).toBe('');
  });
});
