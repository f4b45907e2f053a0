import { marshall } from '@aws-sdk/util-dynamodb';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { attributeValues } from '../../functions/lib/attribute-values.js';

/** The item the hub writes for every message is marshalled by its own code: it must be what the SDK would send. */
describe('attribute values of a stored item', () => {
  it('are what the document client would marshal, for any JSON-shaped item with bytes and gaps', () => {
    const leaf = fc.oneof(
      fc.string(),
      fc.boolean(),
      fc.constant(null),
      fc.constant(undefined),
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.uint8Array({ maxLength: 4 }).map((bytes) => Buffer.from(bytes)),
    );
    const { item } = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'small' }, leaf, tie('list'), tie('item')),
      list: fc.array(tie('value'), { maxLength: 4 }),
      item: fc.dictionary(fc.string({ maxLength: 6 }), tie('value'), { maxKeys: 5 }),
    }));
    fc.assert(
      fc.property(item, (value) => {
        const object = value as Record<string, unknown>;
        const outcome = (make: () => unknown) => {
          try {
            return { made: make() };
          } catch {
            return { refused: true };
          }
        };
        expect(outcome(() => attributeValues(object))).toEqual(
          outcome(() => marshall(object, { removeUndefinedValues: true })),
        );
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 2000), seed: Number(process.env.FUZZ_SEED ?? 20261202) },
    );
  });

  it('refuses what DynamoDB cannot hold exactly, as marshall does', () => {
    for (const value of [Number.NaN, Number.POSITIVE_INFINITY, 2 ** 60, new Date(0)]) {
      expect(() => attributeValues({ value })).toThrow();
      expect(() => marshall({ value }, { removeUndefinedValues: true })).toThrow();
    }
  });
});
