import { describe, expect, it } from 'vitest';
import { BadRequestError } from '../../core/errors.js';
import { jsonNesting, MAX_BODY_JSON_DEPTH, quoted, refuseDeepJson } from '../../core/json-guard.js';
import { checkNetworkDefinition } from '../../core/routing/network.js';
import { describeNetworkChanges } from '../../core/routing/network-diff.js';
import { HUB_CATEGORIES } from '../../core/routing/routing-context.js';
import { validateMessage } from '../../core/validation/validate-message.js';
import { referralMessage } from '../../local/sample-messages.js';
import { testNetwork } from '../support/networks.js';

/** Each class of input that once got a 500 (or an answer larger than its question), refused as it should be. */

const refusal = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return error as BadRequestError;
  }
  throw new Error('expected a refusal');
};

describe('keys JavaScript objects inherit', () => {
  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'])(
    "'%s' in a Patient is refused as no FHIR element (400), naming where",
    (key) => {
      const text = JSON.stringify(referralMessage()).replace(
        '"resourceType":"Patient"',
        `"${key}":{},"resourceType":"Patient"`,
      );
      const error = refusal(() => validateMessage(JSON.parse(text)));
      expect(error).toBeInstanceOf(BadRequestError);
      expect(error.issues[0]).toMatchObject({
        code: 'structure',
        diagnostics: `'${key}' is not the name of a FHIR element`,
        expression: expect.stringMatching(new RegExp(`^Bundle\\.entry\\[\\d\\]\\.resource\\.${key}$`)),
      });
    },
  );
});

describe('deep nesting', () => {
  it('is measured on the text, brackets inside strings not counted', () => {
    expect(jsonNesting('{"a":[{"b":"[[[[{{{{"}]}')).toBe(3);
    expect(jsonNesting('"\\"[["')).toBe(0);
  });

  it(`is refused above ${MAX_BODY_JSON_DEPTH} levels at any position, without parsing`, () => {
    const deep = JSON.stringify(referralMessage()).replace(
      '"status":"active"',
      `"status":${'['.repeat(10_000)}${']'.repeat(10_000)}`,
    );
    expect(refusal(() => refuseDeepJson(deep)).issues[0]!.code).toBe('structure');
    expect(() => refuseDeepJson(JSON.stringify(referralMessage()))).not.toThrow();
  });
});

describe('ids inside the message', () => {
  it.each(['x\uFFFF', 'a b/../c', 'x'.repeat(65), ''])('a resource id %j is refused like Bundle.id', (id) => {
    const bundle = referralMessage();
    bundle.entry![2]!.resource!.id = id;
    const error = refusal(() => validateMessage(bundle));
    expect(error.issues).toContainEqual(
      expect.objectContaining({ code: 'value', expression: 'Bundle.entry[2].resource.id' }),
    );
  });
});

describe('answers never grow with the question', () => {
  it("quote a sender's value at most 200 characters, and say how long it was", () => {
    expect(quoted('x'.repeat(585_000))).toMatch(/^"x{199}… \(585002 characters\)$/);
  });

  it('a network file with thousands of problems is answered with 100 and a count', () => {
    const network = testNetwork();
    network.routes = Array.from({ length: 3000 }, (_, i) => ({
      id: `r${i}`,
      category: 'nope',
      service: 'x'.repeat(5000),
    }));
    const problems = checkNetworkDefinition(network, HUB_CATEGORIES);
    expect(problems).toHaveLength(101);
    expect(problems.at(-1)!.message).toMatch(/^and \d+ more problems$/);
    expect(JSON.stringify(problems).length).toBeLessThan(70_000);
  });

  it('a diff shows values cut short, and at most 500 lines', () => {
    const before = testNetwork();
    const after = testNetwork({ name: 'y'.repeat(100_000) });
    after.practices = Array.from({ length: 2000 }, (_, i) => ({ odsCode: `Z${i}`, name: `p${i}` }));
    const lines = describeNetworkChanges(before, after);
    expect(lines.length).toBeLessThanOrEqual(501);
    expect(lines[0]!.length).toBeLessThan(500);
  });
});
