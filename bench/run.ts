/**
 * `npm run bench`: the hub's speed and memory goals, measured (never asserted in unit tests).
 *   1. validator: load time of the compiled R4 subset and messages/second;
 *   2. routing at national scale: a synthetic England loaded into the embedded DynamoDB, warm (cached) resolution
 *      time per message, cold lookups, and the heap the cached tables take in one process (a Lambda's view);
 *   3. the whole local hub: referrals per second through HTTP, validation, routing, DynamoDB and SQS, and latency.
 * Run with --expose-gc for the memory figure (the npm script does).
 */
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { checkNetworkDefinition } from '../core/routing/network.js';
import { resolveRoute } from '../core/routing/resolve.js';
import { HUB_CATEGORIES } from '../core/routing/routing-context.js';
import { loadBaseDefinitions } from '../core/validation/base-structure.js';
import { validateMessage } from '../core/validation/validate-message.js';
import { DynamoDirectory, loadNetworks } from '../functions/lib/dynamo-directory.js';
import { DIRECTORY_TABLE } from '../functions/lib/resources.js';
import { createTableInput, LOCAL_AWS, startEmbeddedServices } from '../local/embedded.js';
import { LOCAL_OPS_ODS, SAMPLE_PRACTICE } from '../local/identities.js';
import { referralMessage } from '../local/messages.js';
import { syntheticEngland } from './synthetic-england.js';

const VALIDATIONS = 2000;
const RESOLUTIONS = 100_000;
const URGENCIES = ['routine', 'urgent'] as const;
const ms = (start: number) => performance.now() - start;
const gc = () => (globalThis as { gc?: () => void }).gc?.();

// 1. Validator
let start = performance.now();
loadBaseDefinitions();
const loadMs = ms(start);
const messages = Array.from({ length: 100 }, () => JSON.stringify(referralMessage()));
validateMessage(JSON.parse(messages[0]!));
start = performance.now();
for (let i = 0; i < VALIDATIONS; i++) validateMessage(JSON.parse(messages[i % messages.length]!));
const validationMs = ms(start);
console.log(
  `validator: compiled R4 subset loaded in ${loadMs.toFixed(0)} ms; ${(VALIDATIONS / (validationMs / 1000)).toFixed(0)} referral messages/s (${(validationMs / VALIDATIONS).toFixed(2)} ms each, ${(messages[0]!.length / 1024).toFixed(1)} KB)`,
);

// 2. Routing at national scale
start = performance.now();
const england = syntheticEngland();
const categories = HUB_CATEGORIES;
const problems = england.flatMap((n) => checkNetworkDefinition(n, categories.codes));
if (problems.length) throw new Error(`synthetic network invalid: ${JSON.stringify(problems.slice(0, 3))}`);
const practices = england.flatMap((n) => n.practices.map((p) => p.odsCode));
const routes = england.reduce((sum, n) => sum + n.routes.length, 0);
console.log(
  `synthetic England: ${england.length} PCNs, ${practices.length} practices, ${routes} routes; generated and validated in ${ms(start).toFixed(0)} ms`,
);

const services = await startEmbeddedServices();
const db = DynamoDBDocumentClient.from(new DynamoDBClient({ ...LOCAL_AWS, endpoint: services.dynamoEndpoint }));
const table = 'bench-directory';
await db.send(new CreateTableCommand(createTableInput(DIRECTORY_TABLE, table)));
start = performance.now();
let items = 0;
await loadNetworks(db, table, england, (done, total) => {
  items = total;
  if (done % 2500 < 25 || done === total) process.stdout.write(`\r  loading ${done}/${total} items`);
});
const loadSeconds = ms(start) / 1000;
console.log(
  `\nload into the embedded DynamoDB: ${items} items in ${loadSeconds.toFixed(1)} s (${(items / loadSeconds).toFixed(0)} items/s)`,
);

gc();
const heapBefore = process.memoryUsage().heapUsed;
const directory = new DynamoDirectory(db, table, 3600);
start = performance.now();
for (const ods of practices) await directory.networkOfPractice(ods);
const coldMs = ms(start);
gc();
const heapAfter = process.memoryUsage().heapUsed;
console.log(
  `cold: first lookup of every practice (membership + network read + compile): ${(coldMs / practices.length).toFixed(2)} ms each; ${directory.cachedNetworks} networks cached`,
);
console.log(
  `memory: the whole cached directory takes ${((heapAfter - heapBefore) / 1024 / 1024).toFixed(1)} MB of heap${(globalThis as { gc?: unknown }).gc ? '' : ' (run with --expose-gc for an exact figure)'}`,
);

const at = new Date();
const categoryCodes = [...categories.codes];
start = performance.now();
for (let i = 0; i < RESOLUTIONS; i++) {
  const practice = practices[(i * 7919) % practices.length]!;
  const network = (await directory.networkOfPractice(practice))!;
  resolveRoute(network, {
    senderPractice: practice,
    category: categoryCodes[i % categoryCodes.length]!,
    urgency: URGENCIES[i % 2]!,
    ageYears: 10 + (i % 80),
    at,
  });
}
const warmMs = ms(start);
console.log(
  `warm: ${RESOLUTIONS} resolutions (cached lookup + rules) in ${warmMs.toFixed(0)} ms: ${((warmMs * 1000) / RESOLUTIONS).toFixed(1)} µs each`,
);

db.destroy();
await services.stop();

// 3. The whole local hub: referrals through HTTP, validation, routing, DynamoDB and SQS to the mailbox.
const REFERRALS = 600;
const IN_FLIGHT = 16;
const { startLocalHub } = await import('../local/hub.js');
// One sender at full speed: its request rate is not what is measured here.
const hub = await startLocalHub({ port: 0, receiversPort: false, requestsPerWindow: 1_000_000 });
const bodies = Array.from({ length: REFERRALS }, () =>
  referralMessage({ senderOds: SAMPLE_PRACTICE, category: 'social-prescribing' }),
);
const headers = {
  'content-type': 'application/fhir+json',
  ...(await hub.tokens.headers(SAMPLE_PRACTICE, 'sender')),
};
const latencies: number[] = [];
let next = 0;
start = performance.now();
await Promise.all(
  Array.from({ length: IN_FLIGHT }, async () => {
    while (next < bodies.length) {
      const bundle = bodies[next++]!;
      const sent = performance.now();
      const response = await fetch(`${hub.baseUrl}/$process-message`, {
        method: 'POST',
        headers: { ...headers, 'x-request-id': crypto.randomUUID(), 'x-correlation-id': crypto.randomUUID() },
        body: JSON.stringify(bundle),
      });
      await response.text();
      if (response.status !== 202) throw new Error(`HTTP ${response.status}`);
      latencies.push(performance.now() - sent);
    }
  }),
);
const acceptSeconds = ms(start) / 1000;
latencies.sort((a, b) => a - b);
const pct = (p: number) => latencies[Math.floor((latencies.length - 1) * p)]!.toFixed(1);
const opsHeaders = await hub.tokens.headers(LOCAL_OPS_ODS);
const pendingCount = async () => {
  let count = 0;
  for (const status of ['accepted', 'queued', 'delivering', 'retrying']) {
    const listing = await fetch(`${hub.baseUrl}/messages?status=${status}`, { headers: opsHeaders });
    count += ((await listing.json()) as { messages: unknown[] }).messages.length;
  }
  return count;
};
while ((await pendingCount()) > 0) await new Promise((r) => setTimeout(r, 100));
const deliveredSeconds = ms(start) / 1000;
console.log(
  `local hub: ${REFERRALS} referrals accepted in ${acceptSeconds.toFixed(1)} s (${(REFERRALS / acceptSeconds).toFixed(0)}/s, ${IN_FLIGHT} in flight; latency p50 ${pct(0.5)} ms, p95 ${pct(0.95)} ms, p99 ${pct(0.99)} ms); all in the receiver's mailbox after ${deliveredSeconds.toFixed(1)} s`,
);
await hub.stop();
