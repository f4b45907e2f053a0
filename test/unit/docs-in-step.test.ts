import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BODY_RETENTION_DAYS, MESSAGE_RETENTION_DAYS } from '../../core/lifecycle/retention.js';

const ROOT = join(import.meta.dirname, '..', '..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');
const HAZARD_LOG = read('docs/clinical-safety.md');
const PACKAGE = JSON.parse(read('package.json')) as { scripts: Record<string, string> };

/** Each test the hazard log cites as the proof of a mitigation: `test/....test.ts` › "its name" (one or more names). */
const CITED = [...HAZARD_LOG.matchAll(/`(test\/[\w/.-]+\.test\.ts)`\s*›\s*((?:"[^"]+"(?:,\s*)?)+)/g)].flatMap(
  ([, file, names]) => [...names!.matchAll(/"([^"]+)"/g)].map(([, name]) => [file!, name!] as const),
);

describe('the hazard log, SECURITY.md and the README say what the code does', () => {
  it('cites tests for its mitigations', () => {
    expect(CITED.length).toBeGreaterThan(10);
  });

  it.each(CITED)('cites %s › "%s", which exists', (file, name) => {
    expect(existsSync(join(ROOT, file))).toBe(true);
    // A generated name (it.each) is cited as it runs: its template, with %s for the case, is in the file.
    const [, example, template] = /^(invalid|valid)\/[\w.-]+\.json (.*)$/.exec(name) ?? [];
    if (example) {
      expect(read(file)).toContain(`${example}/%s ${template}`);
      expect(existsSync(join(ROOT, 'fhir-profiles', 'examples', name.split(' ')[0]!))).toBe(true);
    } else expect(read(file)).toContain(name);
  });

  it('states the retention periods the code applies', () => {
    for (const doc of [HAZARD_LOG, read('SECURITY.md')]) {
      expect(doc).toContain(`${BODY_RETENTION_DAYS} days`);
      expect(doc).toContain(`${MESSAGE_RETENTION_DAYS / 365}`);
    }
  });

  it('names only npm scripts that exist', () => {
    for (const doc of [read('README.md'), HAZARD_LOG, read('SECURITY.md')])
      for (const [, script] of doc.matchAll(/npm run (?:--silent )?([a-z][\w-]*)/g))
        expect(Object.keys(PACKAGE.scripts), `npm run ${script}`).toContain(script);
  });
});
