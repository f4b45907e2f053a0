import { hubWithoutIo } from './bench/ingest-cost.js';
import { ingestMessage } from './core/services/ingest.js';
import { referralMessage } from './local/messages.js';

const hub = hubWithoutIo();
const text = JSON.stringify(referralMessage({ senderOds: 'Z9W001', category: 'social-prescribing' }));
const t = performance.now();
let n = 0;
while (performance.now() - t < 6000) {
  await ingestMessage(hub, {
    body: JSON.parse(text),
    requestId: 'b',
    correlationId: 'c',
    caller: { organisation: 'Z9W001', roles: ['sender'], ops: false },
  });
  n++;
}
console.log((((performance.now() - t) * 1000) / n).toFixed(1), 'µs');
