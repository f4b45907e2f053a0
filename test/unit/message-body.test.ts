import { brotliDecompressSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { packBody, unpackBody } from '../../functions/lib/message-body.js';
import { referralMessage } from '../../local/sample-messages.js';
import { readExample } from '../support/bars-examples.js';

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

  it('larger than one output buffer of the compressor (a real 13 KB BaRS referral), reads back as received', () => {
    // Prepare: the text as the sender sent it, spaced as it was
    const asReceived = JSON.stringify(readExample('REFREQ03'), null, 2);
    // Act
    const { body, bodyEncoding } = packBody(JSON.parse(asReceived), asReceived);
    // Assess
    expect(body.length).toBeGreaterThan(1024);
    expect(brotliDecompressSync(body).toString('utf8')).toBe(asReceived);
    expect(unpackBody(body, bodyEncoding)).toEqual(JSON.parse(asReceived));
  });

  it('written gzipped before bodies carried their encoding, still reads back', () => {
    const bundle = referralMessage();
    expect(unpackBody(gzipSync(JSON.stringify(bundle)), undefined)).toEqual(bundle);
  });
});
