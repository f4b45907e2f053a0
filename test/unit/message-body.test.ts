import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { packBody, unpackBody } from '../../functions/lib/message-body.js';
import { referralMessage } from '../../local/sample-messages.js';

describe('a stored message body', () => {
  it('reads back as the Bundle it was made from, smaller than its JSON', () => {
    // Prepare
    const bundle = referralMessage();
    // Act
    const { body, bodyEncoding } = packBody(bundle);
    // Assess
    expect(body.length).toBeLessThan(JSON.stringify(bundle).length / 2);
    expect(unpackBody(body, bodyEncoding)).toEqual(bundle);
  });

  it('written gzipped before bodies carried their encoding, still reads back', () => {
    const bundle = referralMessage();
    expect(unpackBody(gzipSync(JSON.stringify(bundle)), undefined)).toEqual(bundle);
  });
});
