import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BadRequestError, HubError, UnprocessableError } from '../../core/errors.js';
import { SYSTEMS } from '../../core/fhir/systems.js';
import { MAX_ARRAY_LENGTH, MAX_JSON_DEPTH } from '../../core/validation/limits.js';
import { validateMessage } from '../../core/validation/validate-message.js';
import { SAMPLE_PRACTICE } from '../../local/identities.js';
import { referralMessage } from '../../local/sample-messages.js';
import { BASE_DEFINITIONS_FILE, compileProfiles, GENERATED_DIR, STRUCTURE_FILE } from '../../scripts/build-profiles.js';

const EXAMPLES = join(import.meta.dirname, '..', '..', 'fhir-profiles', 'examples');
const BARS = join(import.meta.dirname, '..', '..', '..', 'shared', 'reference', 'bars-api');
const read = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as unknown;

function refusal(body: unknown): HubError {
  try {
    validateMessage(body);
  } catch (error) {
    if (error instanceof HubError) return error;
    throw error;
  }
  throw new Error('expected the message to be refused');
}

interface Expectation {
  status: number;
  expression: string;
  code: string;
}
const expectations = read(join(EXAMPLES, 'expectations.json')) as Record<string, Expectation>;

describe('the examples in fhir-profiles/examples', () => {
  it.each(readdirSync(join(EXAMPLES, 'valid')))('valid/%s conforms', (file) => {
    const message = validateMessage(read(join(EXAMPLES, 'valid', file)));
    expect(message.header.resourceType).toBe('MessageHeader');
  });

  it('every invalid example has an expected verdict', () => {
    expect(Object.keys(expectations).sort()).toEqual(readdirSync(join(EXAMPLES, 'invalid')).sort());
  });

  it.each(readdirSync(join(EXAMPLES, 'invalid')))('invalid/%s is refused with its expected status and path', (file) => {
    const expected = expectations[file]!;
    const error = refusal(read(join(EXAMPLES, 'invalid', file)));
    expect(error.status).toBe(expected.status);
    expect(error.issues).toContainEqual(
      expect.objectContaining({ expression: expected.expression, code: expected.code }),
    );
  });
});

describe('validation of a referral message', () => {
  it('accepts a referral that names its service by a SNOMED CT code instead of a hub category', () => {
    expect(validateMessage(referralMessage({ snomedCode: '871731000000106' })).focus?.resourceType).toBe(
      'ServiceRequest',
    );
  });

  it('collects every problem before failing once', () => {
    const bundle = referralMessage();
    const serviceRequest = bundle.entry![1]!.resource as { status: string; subject?: unknown };
    serviceRequest.status = 'bogus';
    delete serviceRequest.subject;
    (bundle.entry![2]!.resource as { identifier: { value: string }[] }).identifier[0]!.value = '1234567890';
    const error = refusal(bundle);
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error.issues.map((i) => i.expression)).toEqual(
      expect.arrayContaining([
        'Bundle.entry[1].resource.status',
        'Bundle.entry[1].resource.subject',
        'Bundle.entry[2].resource.identifier[0].value',
      ]),
    );
  });

  it('accepts the known misspellings of identifier systems and emits the canonical ones', () => {
    const bundle = referralMessage();
    (bundle.entry![3]!.resource as { identifier: { system: string }[] }).identifier[0]!.system =
      'https://fhir.nhs.uk/Id/ods-organisation-code';
    (bundle.entry![2]!.resource as { identifier: { system: string }[] }).identifier[0]!.system =
      'http://fhir.nhs.uk/Id/nhs-number';
    const { bundle: validated } = validateMessage(bundle);
    expect((validated.entry![3]!.resource as { identifier: { system: string }[] }).identifier[0]!.system).toBe(
      SYSTEMS.odsOrganisation,
    );
    expect((validated.entry![2]!.resource as { identifier: { system: string }[] }).identifier[0]!.system).toBe(
      SYSTEMS.nhsNumber,
    );
  });

  it('refuses JSON nested deeper than the limit before any FHIR processing', () => {
    const bundle = referralMessage() as unknown as Record<string, unknown>;
    let deep: Record<string, unknown> = {};
    bundle.meta = deep;
    for (let i = 0; i < MAX_JSON_DEPTH + 5; i++) {
      const next: Record<string, unknown> = {};
      deep.extension = next;
      deep = next;
    }
    expect(refusal(bundle).issues[0]!.code).toBe('structure');
  });

  it('refuses a huge array', () => {
    const bundle = referralMessage();
    (bundle as unknown as { signature: unknown }).signature = {
      who: {},
      data: Array.from({ length: MAX_ARRAY_LENGTH + 1 }, () => 'x'),
    };
    expect(refusal(bundle).issues[0]!.code).toBe('too-long');
  });

  it.each([
    ['a JSON array', []],
    ['a string', 'hello'],
    ['null', null],
    ['a Patient instead of a Bundle', { resourceType: 'Patient' }],
    ['an object without resourceType', { type: 'message' }],
  ])('refuses %s as a bad request', (_, body) => {
    expect(refusal(body)).toBeInstanceOf(BadRequestError);
  });
});

describe('the real BaRS examples (../shared/reference/bars-api)', () => {
  it("a BaRS referral fails on its invalid NHS number (a known defect of the example), with the element's path", () => {
    const error = refusal(read(join(BARS, 'process_message__request__ValidationRequestPOST.json')));
    expect(error.status).toBe(400);
    expect(error.issues).toContainEqual(
      expect.objectContaining({ code: 'value', expression: 'Bundle.entry[5].resource.identifier[0].value' }),
    );
  });

  it('a BaRS referral is also told it names no service the hub knows (constraint hub-sr-1)', () => {
    const error = refusal(read(join(BARS, 'process_message__request__ValidationRequestPOST.json')));
    expect(error.issues).toContainEqual(
      expect.objectContaining({
        code: 'invariant',
        expression: 'Bundle.entry[1].resource',
        diagnostics: expect.stringContaining('hub-sr-1'),
      }),
    );
  });

  it('a BaRS booking is an event the hub does not support', () => {
    const error = refusal(read(join(BARS, 'process_message__POST-body.json')));
    expect(error.issues).toContainEqual(
      expect.objectContaining({ code: 'not-supported', expression: 'Bundle.entry[0].resource.eventCoding' }),
    );
  });

  it('a BaRS booking with its defects fixed is refused as unprocessable (422), not malformed', () => {
    const booking = read(join(BARS, 'process_message__POST-body.json')) as {
      entry: { resource: { resourceType: string; identifier?: { system: string; value: string }[] } }[];
    };
    for (const entry of booking.entry) {
      if (entry.resource.resourceType === 'Organization')
        entry.resource.identifier = [{ system: SYSTEMS.odsOrganisation, value: SAMPLE_PRACTICE }];
    }
    const error = refusal(booking);
    expect(error).toBeInstanceOf(UnprocessableError);
  });
});

describe('the compiled profiles', () => {
  it('are up to date with fhir-profiles/ (run npm run profiles after editing a profile)', () => {
    const compiled = compileProfiles();
    expect(readFileSync(join(GENERATED_DIR, 'hub-conformance.json'), 'utf8')).toBe(compiled.conformance);
    expect(readFileSync(join(GENERATED_DIR, BASE_DEFINITIONS_FILE), 'utf8')).toBe(compiled.baseDefinitions);
    expect(readFileSync(join(GENERATED_DIR, STRUCTURE_FILE), 'utf8')).toBe(compiled.structure);
  });
});
