import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const doc = readFileSync(join(ROOT, 'docs', 'capacity.md'), 'utf8');
const report = JSON.parse(readFileSync(join(ROOT, 'bench', 'report.json'), 'utf8'));

/** The value the capacity page gives a figure in its table of the benchmark's figures. */
const figure = (name: string) =>
  doc
    .split('\n')
    .find((line) => line.startsWith(`| ${name}`))
    ?.split('|')[2]
    ?.trim();

describe('docs/capacity.md', () => {
  it("works from the latest npm run bench's figures (bench/report.json)", () => {
    expect(figure('AWS requests per referral')).toBe(String(report.aws.requestsPerReferral));
    expect(figure('DynamoDB write units per referral')).toBe(String(report.aws.writeUnits.perReferral));
    expect(figure('national routing p99')).toBe(`${report.nationalScale.resolveP99Micros} µs`);
    expect(figure('the whole national directory')).toBe(`${report.nationalScale.directoryHeapMb} MB`);
  });
});
