/** NHS number Modulus 11 check: weights 10..2 on digits 1-9; check digit 11 - (sum mod 11); 11 -> 0; 10 -> invalid. */
export function isValidNhsNumber(value: string): boolean {
  if (!/^\d{10}$/.test(value)) return false;
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(value[i]) * (10 - i);
  const check = 11 - (sum % 11);
  if (check === 10) return false;
  return (check === 11 ? 0 : check) === Number(value[9]);
}

/** The last four digits only, for the rare place an operator needs to tell two patients apart. Never log more. */
export function maskNhsNumber(value: string): string {
  return value.length >= 4 ? `******${value.slice(-4)}` : '****';
}
