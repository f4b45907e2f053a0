import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { evalFhirPath, parseFhirPath } from '@medplum/core';
import fc from 'fast-check';
import type { StructureDefinition } from 'fhir/r4';
import { describe, expect, it } from 'vitest';
import { SYSTEMS } from '../../core/fhir/systems.js';
import { loadBaseDefinitions } from '../../core/validation/base-structure.js';
import { compileExpression } from '../../core/validation/compiled-fhirpath.js';

/**
 * The profiles' invariants run as compiled functions; wherever a compiled function answers, its answer must be
 * Medplum's (the evaluator it stands in for), on whatever the resource holds.
 */

const PROFILES_DIR = resolve(import.meta.dirname, '..', '..', 'fhir-profiles', 'StructureDefinition');
const profileInvariants = readdirSync(PROFILES_DIR).flatMap((name) => {
  const profile = JSON.parse(readFileSync(join(PROFILES_DIR, name), 'utf8')) as StructureDefinition;
  return (profile.differential?.element ?? []).flatMap((element) =>
    (element.constraint ?? []).map((c) => ({ type: profile.type, key: c.key, expression: c.expression! })),
  );
});

const compiled = (expression: string, type = 'ServiceRequest') => compileExpression(parseFhirPath(expression), type);

/** Expressions over everything the compiler handles, each on ServiceRequest. */
const EXPRESSIONS = [
  ...profileInvariants.filter((i) => i.type === 'ServiceRequest').map((i) => i.expression),
  "category.coding.where(system = 'a').exists() and code.coding.exists()",
  "code.coding.code = 'x'",
  "code.coding.code != 'x'",
  'category.exists().not() implies code.exists()',
  'category.coding.system.empty() xor code.text.exists()',
  "category.coding.where(code = 'x' or system = 'a').exists()",
  "code.coding.exists(system = 'a')",
  "priority = 'urgent'",
  'category.coding.where(system.exists()).code.exists()',
  '$this.code.exists()',
  "category.coding.where(system = 'a')",
];

describe('compiled FHIRPath invariants', () => {
  it("compiles every invariant of the hub's profiles", () => {
    expect(profileInvariants.length).toBeGreaterThan(0);
    for (const { type, key, expression } of profileInvariants) {
      expect(compiled(expression, type), `${key} on ${type}`).toBeDefined();
    }
  });

  it('leaves to Medplum what it does not compile: choice elements, variables, other functions', () => {
    for (const expression of [
      'occurrence.exists()',
      '%resource.id.exists()',
      'category.first().exists()',
      'code.coding.count() = 1',
      'code.coding.exists() and code',
      "ServiceRequest.code.coding.where(system = 'a').exists()",
    ]) {
      expect(compiled(expression), expression).toBeUndefined();
    }
  });

  it('gives up on a primitive with an extension, for Medplum to answer', () => {
    // Prepare
    const run = compiled("code.coding.where(system = 'a').exists()")!;
    // Act
    const answer = run({ resourceType: 'ServiceRequest', code: { coding: [{ _system: { extension: [] } }] } });
    // Assess
    expect(answer).toBeUndefined();
  });

  it("answers as Medplum does on whatever a ServiceRequest's codes hold", () => {
    loadBaseDefinitions(); // Medplum's evaluator knows R4's element types, as the compiled code does
    const text = fc.constantFrom('x', 'y', '', ' ');
    const system = fc.constantFrom('a', 'http://snomed.info/sct', SYSTEMS.hubServiceCategory, '');
    const extension = fc.constant({ extension: [{ url: 'https://example.org/e', valueString: 'e' }] });
    const value = fc.oneof(text, fc.constant(null), fc.integer({ min: 0, max: 1 }), fc.boolean(), fc.constant({}));
    const coding = fc.record(
      { system: fc.oneof(system, value), code: fc.oneof(text, value), _system: extension },
      { requiredKeys: [] },
    );
    const codings = fc.oneof(fc.array(fc.oneof(coding, value), { maxLength: 3 }), coding, value);
    const concept = fc.oneof(fc.record({ coding: codings, text }, { requiredKeys: [] }), value);
    const request = fc.record(
      {
        category: fc.oneof(fc.array(concept, { maxLength: 3 }), concept),
        code: concept,
        priority: fc.oneof(fc.constantFrom('urgent', 'routine'), value),
        _priority: extension,
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(request, fc.constantFrom(...EXPRESSIONS), (fields, expression) => {
        // Prepare: what the hub evaluates is parsed JSON
        const resource = JSON.parse(JSON.stringify({ resourceType: 'ServiceRequest', ...fields }));
        // Act
        const answer = compiled(expression)!(resource);
        // Assess
        if (answer !== undefined) expect(answer).toEqual(evalFhirPath(expression, resource));
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 3000), seed: Number(process.env.FUZZ_SEED ?? 20261202) },
    );
  });
});
