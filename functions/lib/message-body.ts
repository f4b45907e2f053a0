import { brotliCompressSync, brotliDecompressSync, constants, gunzipSync } from 'node:zlib';
import type { MessageBundle } from '../../core/fhir/bundle.js';

/**
 * A message's Bundle as stored: JSON compressed by Brotli at quality 1, a few microseconds dearer than its fastest (0)
 * on a 2 KB referral and 5% smaller, which keeps that referral's body item within one DynamoDB write unit (as fast as
 * gzip, and smaller). Items written before carry no encoding: their body is gzipped.
 */
const BODY_BROTLI_QUALITY = 1;
/** A 64 KB window (Brotli's default is 4 MB): a message's repeats lie close together, and a small window is set up faster. */
const BODY_BROTLI_WINDOW_BITS = 16;
/**
 * The compressor's output buffer: one write unit, what a referral's body is compressed to (more output takes more
 * buffers). Node's default (16 KB) drained its buffer pool every few messages: a fifth of the compression's time.
 */
const BODY_OUTPUT_CHUNK_BYTES = 1024;
export const BODY_ENCODING = 'br';

export interface PackedBody {
  body: Buffer;
  bodyEncoding: typeof BODY_ENCODING;
}

/** A Bundle packed for storage: its text as received when given (kept byte for byte), else as the hub writes it. */
export function packBody(bundle: MessageBundle, asReceived?: string): PackedBody {
  const text = asReceived ?? JSON.stringify(bundle);
  return {
    body: brotliCompressSync(text, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: BODY_BROTLI_QUALITY,
        [constants.BROTLI_PARAM_LGWIN]: BODY_BROTLI_WINDOW_BITS,
        [constants.BROTLI_PARAM_SIZE_HINT]: text.length,
      },
      chunkSize: BODY_OUTPUT_CHUNK_BYTES,
    }),
    bodyEncoding: BODY_ENCODING,
  };
}

export const unpackBody = (body: Uint8Array, encoding: string | undefined): MessageBundle =>
  JSON.parse(
    (encoding === BODY_ENCODING ? brotliDecompressSync(body) : gunzipSync(body)).toString('utf8'),
  ) as MessageBundle;
