import { describe, expect, it } from 'vitest';
import { day, when } from '../../web/src/words.js';

describe('dates and times on screen, as the NHS writes them (London time)', () => {
  it.each([
    ['2027-01-04T16:30:00Z', '4 January 2027 at 4:30pm'],
    ['2027-01-04T09:00:00Z', '4 January 2027 at 9am'],
    ['2027-01-04T12:00:00Z', '4 January 2027 at midday'],
    ['2027-01-04T00:00:00Z', '4 January 2027 at midnight'],
    ['2027-01-04T00:05:00Z', '4 January 2027 at 12:05am'],
    // British Summer Time: 23:30 UTC is half past midnight the next day in London.
    ['2027-07-01T23:30:00Z', '2 July 2027 at 12:30am'],
  ])('writes %s as "%s"', (iso, words) => {
    expect(when(iso)).toBe(words);
  });

  it('writes a calendar date with the month in words', () => {
    expect(day('1956-03-14')).toBe('14 March 1956');
  });
});
