/**
 * The hub as the chaos test runs it: `npm start`'s local hub, on a data folder that outlives the process, with its
 * store and queue failing transiently at CHAOS_FAULT_RATE (0 to 1). Killed and restarted by the test.
 */
import { parseArgs } from 'node:util';
import type { MessageStore } from '../../core/ports.js';
import { startLocalHub } from '../../local/hub.js';
import { readNetworkDefinitions } from '../../local/network-files.js';
import { flaky } from './faults.js';

const { values } = parseArgs({ options: { 'data-dir': { type: 'string' }, networks: { type: 'string' } } });
const rate = Number(process.env.CHAOS_FAULT_RATE ?? 0);
const hub = await startLocalHub({
  port: 0,
  dataDir: values['data-dir']!,
  receiversPort: false,
  networks: readNetworkDefinitions([values.networks!]),
  policy: { maxAttempts: 30, baseDelaySeconds: 1, maxDelaySeconds: 1, pushTimeoutMs: 1000 },
  requestsPerWindow: 1_000_000, // the chaos senders hammer the hub on purpose: throttling is not what is tested
  adapters: (adapters) => ({
    ...adapters,
    store: flaky<MessageStore>(adapters.store, ['create', 'update'], () => rate),
    queue: flaky(adapters.queue, ['enqueue'], () => rate),
  }),
});
console.log(`FHIR base: ${hub.baseUrl}`);
