import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { checkNetworkDefinition } from '../core/routing/network.js';
import { resolveRoute } from '../core/routing/resolve.js';
import { HUB_CATEGORIES } from '../core/routing/routing-context.js';
import { DynamoDirectory, loadNetworks } from '../functions/lib/dynamo-directory.js';
import { DIRECTORY_TABLE } from '../functions/lib/storage.js';
import { LOCAL_AWS, startEmbeddedServices } from '../local/embedded.js';
import { createTableInput, whenActive } from '../local/local-tables.js';
import { median, percentile, round } from './measure.js';
import { syntheticEngland } from './synthetic-england.js';

/** Routing decisions timed one by one in each round, for the distribution. */
const RESOLUTIONS = 50_000;
/** Rounds of them: one p99 of a 10 µs operation on a shared machine is noise; the median of the rounds' is not. */
const ROUNDS = 5;
const URGENCIES = ['routine', 'urgent'] as const;
const gc = () => (globalThis as { gc?: () => void }).gc?.();

export interface NationalScale {
  networks: number;
  practices: number;
  routes: number;
  items: number;
  loadSeconds: number;
  /** First lookup of a practice (membership, network read, compile), cold. */
  coldLookupMsMedian: number;
  /** A routing decision on the cached tables. */
  resolveP50Micros: number;
  /** The median of the rounds' p99s, and each round's. */
  resolveP99Micros: number;
  resolveP99Rounds: number[];
  /** The heap the whole cached national directory takes in one process (a Lambda's view). */
  directoryHeapMb: number;
}

/** 5. The synthetic England (1,250 PCNs) loaded into the embedded DynamoDB, looked up cold, then routed warm. */
export async function nationalScale(): Promise<NationalScale> {
  const england = syntheticEngland();
  const problems = england.flatMap((n) => checkNetworkDefinition(n, HUB_CATEGORIES));
  if (problems.length) throw new Error(`synthetic network invalid: ${JSON.stringify(problems.slice(0, 3))}`);
  const practices = england.flatMap((n) => n.practices.map((p) => p.odsCode));
  const services = await startEmbeddedServices();
  const client = new DynamoDBClient({ ...LOCAL_AWS, endpoint: services.dynamoEndpoint });
  const db = DynamoDBDocumentClient.from(client);
  try {
    const table = 'bench-directory';
    await db.send(new CreateTableCommand(createTableInput(DIRECTORY_TABLE, table)));
    await whenActive(client, table);
    let start = performance.now();
    let items = 0;
    await loadNetworks(db, table, england, (_done, total) => {
      items = total;
    });
    const loadSeconds = (performance.now() - start) / 1000;

    gc();
    const heapBefore = process.memoryUsage().heapUsed;
    const directory = new DynamoDirectory(db, table, 3600);
    const cold: number[] = [];
    for (const ods of practices) {
      start = performance.now();
      await directory.networkOfPractice(ods);
      cold.push(performance.now() - start);
    }
    gc();
    const heapAfter = process.memoryUsage().heapUsed;

    const at = new Date();
    const categories = [...HUB_CATEGORIES.codes];
    const rounds: number[][] = [];
    for (let pass = 0; pass < ROUNDS; pass++) {
      const timings: number[] = [];
      for (let i = 0; i < RESOLUTIONS; i++) {
        const practice = practices[(i * 7919 + pass) % practices.length]!;
        start = performance.now();
        const network = (await directory.networkOfPractice(practice))!;
        resolveRoute(network, {
          senderPractice: practice,
          category: categories[i % categories.length]!,
          urgency: URGENCIES[i % 2]!,
          ageYears: 10 + (i % 80),
          at,
        });
        timings.push((performance.now() - start) * 1000);
      }
      rounds.push(timings);
    }
    const p99s = rounds.map((timings) => round(percentile(timings, 0.99)));
    return {
      networks: england.length,
      practices: practices.length,
      routes: england.reduce((sum, n) => sum + n.routes.length, 0),
      items,
      loadSeconds: round(loadSeconds),
      coldLookupMsMedian: round(median(cold), 2),
      resolveP50Micros: round(median(rounds.map((timings) => percentile(timings, 0.5)))),
      resolveP99Micros: round(median(p99s)),
      resolveP99Rounds: p99s,
      directoryHeapMb: round((heapAfter - heapBefore) / 1024 / 1024),
    };
  } finally {
    db.destroy();
    await services.stop();
  }
}
