import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDirectory, loadNetworks } from '../../functions/lib/dynamo-directory.js';
import { DIRECTORY_TABLE } from '../../functions/lib/storage.js';
import { type EmbeddedServices, LOCAL_AWS, startEmbeddedServices } from '../../local/embedded.js';
import { createTableInput, whenActive } from '../../local/local-tables.js';
import { testNetwork } from '../support/networks.js';

const REFRESH_SECONDS = 30;

describe('the routing tables in DynamoDB, read through the in-memory cache', () => {
  let services: EmbeddedServices;
  let db: DynamoDBDocumentClient;
  const table = 'directory-cache-test';
  beforeAll(async () => {
    services = await startEmbeddedServices();
    const client = new DynamoDBClient({ ...LOCAL_AWS, endpoint: services.dynamoEndpoint });
    db = DynamoDBDocumentClient.from(client);
    await db.send(new CreateTableCommand(createTableInput(DIRECTORY_TABLE, table)));
    await whenActive(client, table);
    await loadNetworks(db, table, [testNetwork()]);
  });
  afterAll(async () => {
    db.destroy();
    await services.stop();
  });

  it("finds a practice's network and an organisation's network", async () => {
    const directory = new DynamoDirectory(db, table);
    expect((await directory.networkOfPractice('Z8T001'))?.definition.id).toBe('test-pcn');
    expect((await directory.networkOfOrganisation('Z8T102'))?.definition.id).toBe('test-pcn');
    expect(await directory.networkOfPractice('Z8T102')).toBeUndefined();
  });

  it('keeps serving its cached tables until the refresh interval, then picks up a change (no stale routing)', async () => {
    let now = 1_000_000;
    const directory = new DynamoDirectory(db, table, REFRESH_SECONDS, () => now);
    expect((await directory.networkOfPractice('Z8T001'))!.services.get('social')!.paused).toBeUndefined();

    const changed = testNetwork();
    changed.services.find((s) => s.id === 'social')!.paused = true;
    changed.services.find((s) => s.id === 'social')!.fallback = 'social-south';
    const [change] = await loadNetworks(db, table, [changed]);
    expect(change!.change).toBe('changed');

    now += (REFRESH_SECONDS - 1) * 1000;
    expect((await directory.networkOfPractice('Z8T001'))!.services.get('social')!.paused).toBeUndefined();
    now += 2000;
    expect((await directory.networkOfPractice('Z8T001'))!.services.get('social')!.paused).toBe(true);
  });

  it('forgets a practice that left the network', async () => {
    const smaller = testNetwork();
    smaller.practices = smaller.practices.filter((p) => p.odsCode !== 'Z8T002');
    smaller.routes = smaller.routes.filter((r) => !r.when?.senderPractices);
    await loadNetworks(db, table, [smaller]);
    const directory = new DynamoDirectory(db, table);
    expect(await directory.networkOfPractice('Z8T002')).toBeUndefined();
    expect((await directory.networkOfPractice('Z8T001'))?.definition.id).toBe('test-pcn');
  });

  it('skips networks that did not change', async () => {
    const changes = await loadNetworks(db, table, [testNetwork()]);
    expect((await loadNetworks(db, table, [testNetwork()]))[0]!.change).toBe('unchanged');
    expect(changes[0]!.change).toBe('changed');
  });
});
