import { describe, expect, it } from 'vitest';
import { isValidNhsNumber, maskNhsNumber } from '../../core/fhir/nhs-number.js';

describe('NHS number Modulus 11 check', () => {
  it.each(['9000000009', '9434765919', '4010232137'])('accepts %s, whose check digit is right', (value) => {
    expect(isValidNhsNumber(value)).toBe(true);
  });

  it.each([
    ['3478526985', 'a BaRS example with a wrong check digit'],
    ['4857773456', 'another BaRS example that fails the check'],
    ['9000000001', 'a changed check digit'],
  ])('refuses %s (%s)', (value) => {
    expect(isValidNhsNumber(value)).toBe(false);
  });

  it('refuses numbers whose check digit would be 10', () => {
    // weights 10..2 on 000000006: 6*2 = 12, 12 mod 11 = 1, 11 - 1 = 10: no valid check digit exists
    for (let last = 0; last <= 9; last++) expect(isValidNhsNumber(`000000006${last}`)).toBe(false);
  });

  it('maps a check value of 11 to a check digit of 0', () => {
    // 000000000 sums to 0: 11 - 0 = 11 -> 0
    expect(isValidNhsNumber('0000000000')).toBe(true);
  });

  it.each(['900000000', '90000000091', '900000000A', ' 9000000009', ''])(
    'refuses %j, which is not ten digits',
    (value) => {
      expect(isValidNhsNumber(value)).toBe(false);
    },
  );

  it('masks all but the last four digits', () => {
    expect(maskNhsNumber('9000000009')).toBe('******0009');
  });
});
