import { hubWithoutIo } from './bench/ingest-cost.js';
import { ingestMessage } from './core/services/ingest.js';
import { referralMessage } from './local/messages.js';

const hub = hubWithoutIo();
const text = JSON.stringify(referralMessage({ senderOds: 'Z9W001', category: 'social-prescribing' }));
await ingestMessage(hub, {
  body: JSON.parse(text),
  requestId: 'b',
  correlationId: 'c',
  caller: { organisation: 'Z9W001', roles: ['sender'], ops: false },
});
