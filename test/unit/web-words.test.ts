import { describe, expect, it } from 'vitest';
import { ageOn, day, daysBetween, when, withNames } from '../../web/src/words.js';

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

describe("a patient's age and how long work has waited, in whole units", () => {
  it.each([
    ['1956-03-14', '2026-03-13T12:00:00Z', 69],
    ['1956-03-14', '2026-03-14T00:00:00Z', 70],
    ['2000-02-29', '2027-02-28T12:00:00Z', 26],
    ['2000-02-29', '2027-03-01T00:00:00Z', 27],
  ])('someone born %s is, on %s, %i', (born, on, age) => {
    expect(ageOn(born, new Date(on))).toBe(age);
  });

  it('counts whole days waited, never fewer than none', () => {
    const now = new Date('2026-12-05T12:00:00Z');
    expect(daysBetween('2026-12-05T09:00:00Z', now)).toBe(0);
    expect(daysBetween('2026-12-04T11:59:00Z', now)).toBe(1);
    expect(daysBetween('2026-12-06T09:00:00Z', now)).toBe(0);
  });
});

describe("the hub's sentences with organisations named", () => {
  const names = new Map([
    ['Z9W101', 'Milton Keynes Social Prescribing Service'],
    ['Z9W001', 'Hilltops Medical Centre'],
  ]);

  it('names each organisation it knows, leaves a code already named in brackets, and anything else', () => {
    expect(withNames("waiting in Z9W101's mailbox", names)).toBe(
      "waiting in Milton Keynes Social Prescribing Service's mailbox",
    );
    expect(withNames('social-prescribing -> Milton Keynes Social Prescribing (Z9W101) by rule x', names)).toBe(
      'social-prescribing -> Milton Keynes Social Prescribing (Z9W101) by rule x',
    );
    expect(withNames('fatal-error response sent to Z9W001 by mailbox; HTTP 503', names)).toBe(
      'fatal-error response sent to Hilltops Medical Centre by mailbox; HTTP 503',
    );
    expect(withNames('withdrawn by Z9OPS1 (z9ops1-ops)', names)).toBe('withdrawn by Z9OPS1 (z9ops1-ops)');
  });
});
