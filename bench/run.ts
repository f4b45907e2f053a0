/**
 * `npm run bench`: the hub's speed, size and cost, measured as ratios to floors taken in the same run (absolute times
 * on a shared machine drift; ratios in one run do not), written to bench/report.json and bench/report.md:
 *   1. ingest cost per message in-process, against JSON.parse + stringify and against Medplum's validator;
 *   2. each Lambda bundle's size, and the ingest bundle's start against a minimal handler's;
 *   3. end to end through the local hub against the raw DynamoDB and SQS calls a referral needs;
 *   4. the AWS requests one referral costs (counted by SDK middleware), its write units (metered from the items
 *      written) and the cost of a million on AWS;
 *   5. routing at national scale (the synthetic England);
 *   6. each listing's time as the store grows.
 * Run with --expose-gc for the memory figure (the npm script does).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FUNCTIONS } from '../functions/lib/lambdas.js';
import { bundlesAndColdStart } from './bundles.js';
import { ASSUMPTIONS, costPerMillion, PRICES } from './cost.js';
import { endToEnd } from './end-to-end.js';
import { growth, TIMED_REQUESTS } from './growth.js';
import { ingestCosts } from './ingest-cost.js';
import { nationalScale } from './national-scale.js';
import { measureWriteUnits } from './write-units.js';

/** The goals (issues: proof of speed and cost; the store and the house), each checked against this run's figures. */
const GOALS = {
  ingestRatioToJsonFloor: 6,
  speedupOverMedplum: 3,
  bundleBytes: 1024 * 1024,
  coldStartRatio: 4,
  endToEndRatioToFloor: 1.5,
  requestsPerReferral: 5,
  costPerMillionUsd: 12,
  routingP99Micros: 20,
  listingGrowthRatio: 1.5,
} as const;

const step = (what: string) => console.log(`… ${what}`);

step('ingest cost per message (in-process)');
const messages = await ingestCosts();
step('Lambda bundles and cold start');
const { bundles, coldStart } = await bundlesAndColdStart();
step('end to end through the local hub, and its floor');
const e2e = await endToEnd();
step('write units of a referral, metered');
const writeUnits = await measureWriteUnits();
const cost = costPerMillion(e2e.requests, writeUnits, FUNCTIONS.ingest.memorySize, FUNCTIONS.deliver.memorySize);
step('routing at national scale');
const national = await nationalScale();
step('listings as the store grows');
const grown = await growth();

const ingest = {
  // The goal holds for every message measured: the worst of them is the figure.
  ratioToJsonFloor: Math.max(...messages.map((m) => m.ratioToJsonFloor)),
  speedupOverMedplum: Math.min(...messages.map((m) => m.speedupOverMedplum)),
  messages,
};
const largestBundle = bundles.reduce((a, b) => (b.bytes > a.bytes ? b : a));
const goal = (name: string, figure: number, target: number, holds: boolean, unit: string) => ({
  name,
  figure,
  target,
  unit,
  holds,
});
const goals = [
  goal(
    'ingest within 6x of JSON.parse + stringify (each message)',
    ingest.ratioToJsonFloor,
    GOALS.ingestRatioToJsonFloor,
    ingest.ratioToJsonFloor <= GOALS.ingestRatioToJsonFloor,
    'x',
  ),
  goal(
    'ingest at least 3x faster than Medplum validateResource',
    ingest.speedupOverMedplum,
    GOALS.speedupOverMedplum,
    ingest.speedupOverMedplum >= GOALS.speedupOverMedplum,
    'x',
  ),
  goal(
    `every Lambda bundle under 1 MB (largest: ${largestBundle.name})`,
    largestBundle.bytes,
    GOALS.bundleBytes,
    largestBundle.bytes < GOALS.bundleBytes,
    'bytes',
  ),
  goal(
    'ingest cold start within 4x of a minimal handler',
    coldStart.ingestRatioToMinimal,
    GOALS.coldStartRatio,
    coldStart.ingestRatioToMinimal <= GOALS.coldStartRatio,
    'x',
  ),
  goal(
    'end to end within 1.5x of the floor',
    e2e.ratioToFloor,
    GOALS.endToEndRatioToFloor,
    e2e.ratioToFloor <= GOALS.endToEndRatioToFloor,
    'x',
  ),
  goal(
    'at most 5 AWS requests per referral',
    e2e.requestsPerReferral,
    GOALS.requestsPerReferral,
    e2e.requestsPerReferral <= GOALS.requestsPerReferral,
    'requests',
  ),
  goal(
    'at most $12 per million referrals on AWS',
    cost.perMillionReferralsUsd,
    GOALS.costPerMillionUsd,
    cost.perMillionReferralsUsd <= GOALS.costPerMillionUsd,
    'USD',
  ),
  goal(
    `every listing within 1.5x as the store grows from ${grown.sizes[0]} to ${grown.sizes.at(-1)} messages (the worst)`,
    grown.worstRatio,
    GOALS.listingGrowthRatio,
    grown.worstRatio <= GOALS.listingGrowthRatio &&
      grown.listings.every((l) => l.itemsAtLargest > 0 || l.name.includes('owed')),
    'x',
  ),
  goal(
    `national routing p99 within 20 µs (median of ${national.resolveP99Rounds.length} rounds)`,
    national.resolveP99Micros,
    GOALS.routingP99Micros,
    national.resolveP99Micros <= GOALS.routingP99Micros,
    'µs',
  ),
];

const report = {
  measuredAt: new Date().toISOString(),
  machine: { cpus: (await import('node:os')).cpus().length, node: process.version },
  ingest,
  bundles,
  coldStart,
  endToEnd: e2e,
  aws: {
    requestsPerReferral: e2e.requestsPerReferral,
    requests: e2e.requests,
    costPerMillionReferralsUsd: cost.perMillionReferralsUsd,
    costParts: cost.parts,
    writeUnits,
    prices: PRICES,
    assumptions: ASSUMPTIONS,
  },
  nationalScale: national,
  growth: grown,
  goals,
};

const kb = (bytes: number) => `${Math.round(bytes / 1024)} KB`;
const row = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
const markdown = [
  '# `npm run bench` report',
  '',
  `Measured ${report.measuredAt} on ${report.machine.cpus} cores, Node ${report.machine.node}. Every goal is a ratio to a floor measured in the same run, or a count; absolute times vary from run to run on a shared machine.`,
  '',
  '## Goals',
  '',
  row(['goal', 'figure', 'target', 'holds']),
  row(['---', '---', '---', '---']),
  ...goals.map((g) => row([g.name, `${g.figure} ${g.unit}`, `${g.target} ${g.unit}`, g.holds ? 'yes' : '**no**'])),
  '',
  '## 1. Ingest cost per message, in-process',
  '',
  'Parse, validate (R4 structure, the hub profiles, terminology bindings, NHS numbers), authorise, route and build the stored DynamoDB items (the record marshalled, the body compressed as received, as the ingest function passes it); no I/O. Timed on the ingest path bundled as the Lambda is deployed, one round of each figure in turn.',
  '',
  row([
    'message',
    'size',
    'ingest',
    'JSON floor',
    'ratio',
    'Medplum validateResource',
    'speed-up',
    'structure in one walk',
  ]),
  row(['---', '---', '---', '---', '---', '---', '---', '---']),
  ...messages.map((m) =>
    row([
      m.name,
      kb(m.bytes),
      `${m.ingestMicros} µs`,
      `${m.jsonFloorMicros} µs`,
      `${m.ratioToJsonFloor}x`,
      `${m.medplumMicros} µs`,
      `${m.speedupOverMedplum}x`,
      m.structureCertain ? 'yes' : 'no (general validator)',
    ]),
  ),
  '',
  ...messages.flatMap((m) => (m.changes ? [`${m.name}: ${m.changes.join('; ')}.`, ''] : [])),
  '## 2. Lambda bundles and cold start',
  '',
  'Bundled as deployed (infra/bundling.ts: ESM, minified, AWS SDK excluded, no source map).',
  '',
  row(['function', 'bundle']),
  row(['---', '---']),
  ...bundles.map((b) => row([b.name, kb(b.bytes)])),
  '',
  `Start of \`node\` importing the bundle (median of paired runs): ingest ${coldStart.ingestMs} ms, a minimal handler ${coldStart.minimalMs} ms: **${coldStart.ingestRatioToMinimal}x**.`,
  '',
  '## 3. End to end (the local hub on its embedded emulators)',
  '',
  `${e2e.referrals} referrals from ${e2e.senders} concurrent senders, HTTP ingest to the receiver's mailbox: **${e2e.referralsPerSecond} referrals/s**; ingest latency p50 ${e2e.p50Ms} ms, p95 ${e2e.p95Ms} ms, p99 ${e2e.p99Ms} ms. The floor, the same DynamoDB and SQS calls made directly on the same emulators at the same concurrency: ${e2e.floorReferralsPerSecond} referrals/s, so the hub runs at **${e2e.ratioToFloor}x** the floor's time.`,
  '',
  '## 4. AWS requests per referral, and the cost of a million',
  '',
  'Counted by a middleware on every SDK client of the hub during the measured run (the queue pollers included; the receiver is a mailbox, so no HTTP push).',
  '',
  row(['service', 'operation', 'table or queue', 'per referral']),
  row(['---', '---', '---', '---']),
  ...e2e.requests.map((r) => row([r.service, r.operation, r.resource, r.perReferral])),
  row(['**all**', '', '', `**${e2e.requestsPerReferral}**`]),
  '',
  `Cost per million referrals on AWS: **$${cost.perMillionReferralsUsd}**.`,
  '',
  row(['part', 'USD per million referrals']),
  row(['---', '---']),
  ...cost.parts.map((p) => row([p.what, p.usd])),
  '',
  `Prices (USD, on-demand list prices, arm64 Lambda; London within about 10%): ${Object.entries(PRICES)
    .map(([k, v]) => `${k} ${v}`)
    .join('; ')}. Assumptions: ${Object.entries(ASSUMPTIONS)
    .map(([k, v]) => `${k} ${v}`)
    .join('; ')}.`,
  '',
  `Write units, metered: ${writeUnits.referrals} referrals sent one at a time through the local hub, each write's item read before and after it, and the units AWS charges worked out from those sizes (the table: the larger item in 1 KB units; each index: an entry added, removed or with a projected attribute changed is one write of its size, a key changed two). **${writeUnits.perReferral} write units a referral.**`,
  '',
  '## 5. National scale (synthetic England)',
  '',
  `${national.networks} PCNs, ${national.practices} practices, ${national.routes} routes: ${national.items} directory items loaded into the embedded DynamoDB in ${national.loadSeconds} s. A practice's first (cold) lookup: ${national.coldLookupMsMedian} ms median. A routing decision on the cached tables: p50 ${national.resolveP50Micros} µs, p99 ${national.resolveP99Micros} µs (the median of ${national.resolveP99Rounds.length} rounds' p99s: ${national.resolveP99Rounds.join(', ')} µs). The whole cached directory: ${national.directoryHeapMb} MB of heap.`,
  '',
  '## 6. Listings as the store grows',
  '',
  `The local hub with a week of sample care-home Tasks, then referrals newer than them (and an open alert for every 4), grown to ${grown.sizes.join(' and then ')} messages; each listing's first page asked ${TIMED_REQUESTS} times at each size, as ops, a practice and a team ask for it (median milliseconds). A listing that reads more as the store grows would show a ratio above 1; one that gives up, an empty page.`,
  '',
  row(['listing', ...grown.sizes.map((n) => `${n} messages`), 'ratio', 'items on the page']),
  row(['---', ...grown.sizes.map(() => '---'), '---', '---']),
  ...grown.listings.map((l) => row([l.name, ...l.ms.map((ms) => `${ms} ms`), `${l.ratio}x`, l.itemsAtLargest])),
  '',
].join('\n');

writeFileSync(join(import.meta.dirname, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
writeFileSync(join(import.meta.dirname, 'report.md'), markdown);
console.log(
  `\n${goals.map((g) => `${g.holds ? 'holds' : 'MISSES'}  ${g.name}: ${g.figure} ${g.unit} (goal ${g.target})`).join('\n')}`,
);
console.log('\nbench/report.md and bench/report.json written');
process.exit(0);
