import { deflateRawSync, inflateRawSync, brotliCompressSync, constants } from 'node:zlib';
import { referralMessage } from './local/sample-messages.js';
import { SAMPLE_PRACTICE } from './local/identities.js';
import { readFileSync } from 'node:fs';
const s = JSON.stringify(referralMessage({ senderOds: SAMPLE_PRACTICE, category: 'social-prescribing' }));
const r3 = readFileSync('/work/shared/reference/bars-ig/examples/REFREQ03.json', 'utf8');
const time = (f: () => Buffer) => { for (let i = 0; i < 200; i++) f(); const t = performance.now(); let b!: Buffer; for (let i = 0; i < 2000; i++) b = f(); return [b.length, ((performance.now() - t) / 2000 * 1000).toFixed(1) + 'µs']; };
const dictA = Buffer.from(JSON.stringify(referralMessage({ senderOds: 'Z1', category: 'community-nursing' })));
const dictB = Buffer.from(JSON.stringify(JSON.parse(readFileSync('/work/shared/reference/bars-ig/examples/REFREQ06.json', 'utf8'))).slice(0, 8000));
for (const [n, d] of [['own-sample', dictA], ['refreq06', dictB], ['both', Buffer.concat([dictB, dictA])]] as const) {
  for (const lvl of [1, 6]) {
    console.log(n, lvl, 'sample', time(() => deflateRawSync(s, { dictionary: d, level: lvl })), 'r3', time(() => deflateRawSync(JSON.stringify(JSON.parse(r3)), { dictionary: d, level: lvl })));
  }
}
console.log('r3 br1', time(() => brotliCompressSync(JSON.stringify(JSON.parse(r3)), { params: { [constants.BROTLI_PARAM_QUALITY]: 1 } })), 'br0', time(() => brotliCompressSync(JSON.stringify(JSON.parse(r3)), { params: { [constants.BROTLI_PARAM_QUALITY]: 0 } })));
