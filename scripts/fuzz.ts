/** `npm run fuzz -- --runs N --seed S`: hostile requests against a running hub, and what they got (see USAGE). */
import fc from 'fast-check';
import { commandLine } from '../local/cli.js';
import { findLocalHub } from '../local/local-endpoints.js';
import { readSampleClients } from '../local/sample-clients.js';
import { TokenSource } from '../local/token-client.js';
import { HOSTILE_CALLERS, type HostileCaller, hostileRequest, sendHostile } from '../test/support/hostile.js';

const USAGE = `npm run fuzz -- [--runs N] [--seed S] [--data-dir DIR]

Sends N generated hostile requests (the generators of npm test: every route, broken and deep JSON, keys objects
inherit, oversized ids and claims, abused headers and paths; some with real tokens of sample callers) to the running
local hub, then prints a summary: answers by status class, any 5xx (each with the request that got it), answers
over 1 MB, and the slowest. Exits 1 when any request got a 5xx.

  --runs N         how many requests (default 2000)
  --seed S         the generator's seed, to replay a run (default: from the clock, printed)
  --data-dir DIR   the hub whose data is in DIR (default: the last hub started)
  -h, --help       this help`;

/** An answer this large is reported: no answer of the hub should come near it. */
const LARGE_ANSWER_BYTES = 1_000_000;
/** The slowest answers listed. */
const SLOWEST_LISTED = 5;

const { values } = commandLine(USAGE, {
  runs: { type: 'string', default: '2000' },
  seed: { type: 'string' },
  'data-dir': { type: 'string' },
});
const runs = Number(values.runs);
const seed = values.seed === undefined ? Date.now() % 2 ** 31 : Number(values.seed);
if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(seed)) {
  console.error(`--runs and --seed take whole numbers\n\n${USAGE}`);
  process.exit(2);
}
const local = await findLocalHub(values['data-dir']).catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
const tokens = new TokenSource(() => local.baseUrl, readSampleClients(local.dataDir));
const bearer = async (caller: HostileCaller) => {
  const { organisation, role } = HOSTILE_CALLERS[caller];
  return tokens.bearer(organisation, role);
};

const byClass = new Map<string, number>();
const failures: { status: number; request: string }[] = [];
const large: { bytes: number; request: string }[] = [];
const timings: { ms: number; request: string }[] = [];
console.log(
  `Fuzzing ${local.baseUrl} with ${runs} requests, seed ${seed} (replay: npm run fuzz -- --runs ${runs} --seed ${seed})`,
);
const started = performance.now();
for (const request of fc.sample(hostileRequest, { numRuns: runs, seed })) {
  const label = `${request.method} ${request.path.slice(0, 120)}${request.as ? ` as ${request.as}` : ''}`;
  const answer = await sendHostile(local.baseUrl, request, bearer).catch((error: Error) => ({
    status: 0,
    text: error.message,
    type: null,
    ms: 0,
  }));
  const kind = answer.status === 0 ? 'no answer' : `${Math.floor(answer.status / 100)}xx`;
  byClass.set(kind, (byClass.get(kind) ?? 0) + 1);
  if (answer.status >= 500 || answer.status === 0) failures.push({ status: answer.status, request: label });
  if (answer.text.length > LARGE_ANSWER_BYTES) large.push({ bytes: answer.text.length, request: label });
  timings.push({ ms: answer.ms, request: label });
}
const seconds = (performance.now() - started) / 1000;
timings.sort((a, b) => b.ms - a.ms);
console.log(`\n${runs} requests in ${seconds.toFixed(1)} s: ${[...byClass].map(([k, n]) => `${n} × ${k}`).join(', ')}`);
console.log(`5xx or no answer: ${failures.length}`);
for (const f of failures.slice(0, 20)) console.log(`  ${f.status || 'none'}  ${f.request}`);
console.log(`answers over 1 MB: ${large.length}`);
for (const l of large.slice(0, 20)) console.log(`  ${l.bytes} bytes  ${l.request}`);
console.log(`slowest:`);
for (const t of timings.slice(0, SLOWEST_LISTED)) console.log(`  ${t.ms.toFixed(0)} ms  ${t.request}`);
process.exit(failures.length > 0 ? 1 : 0);
