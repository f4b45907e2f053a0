import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/**
 * A stored item as DynamoDB attribute values: what the document client's marshall (with removeUndefinedValues)
 * makes of JSON-shaped data and bytes, in a quarter of its time, for the one item every message writes. Numbers
 * DynamoDB cannot hold exactly are refused, as marshall refuses them; so is what the hub never stores (sets, class
 * instances, functions). test/unit/attribute-values.test.ts holds it to marshall's output.
 */
export function attributeValues(item: object): Record<string, AttributeValue> {
  const map: Record<string, AttributeValue> = {};
  for (const key in item) {
    const value = (item as Record<string, unknown>)[key];
    if (value !== undefined) map[key] = attributeValue(value);
  }
  return map;
}

function attributeValue(value: unknown): AttributeValue {
  switch (typeof value) {
    case 'string':
      return { S: value };
    case 'boolean':
      return { BOOL: value };
    case 'number':
      if (!Number.isFinite(value) || Math.abs(value) > Number.MAX_SAFE_INTEGER)
        throw new RangeError(`${value} cannot be stored exactly`);
      return { N: String(value) };
    case 'object': {
      if (value === null) return { NULL: true };
      if (Array.isArray(value)) {
        const list: AttributeValue[] = [];
        for (const entry of value) if (entry !== undefined) list.push(attributeValue(entry));
        return { L: list };
      }
      if (value instanceof Uint8Array) return { B: value };
      const prototype = Object.getPrototypeOf(value);
      if (prototype === Object.prototype || prototype === null) return { M: attributeValues(value) };
    }
  }
  throw new TypeError(`A ${typeof value} cannot be stored as a DynamoDB attribute`);
}
