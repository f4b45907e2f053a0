import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
// @ts-expect-error no types
import dyn from 'dynalite/db/index.js';
import { LOCAL_AWS } from '../local/embedded.js';
import { startLocalHub } from '../local/hub.js';
import { SAMPLE_PRACTICE } from '../local/identities.js';
import { referralMessage } from '../local/messages.js';

const hub = await startLocalHub({ port: 0, receiversPort: false });
const headers = { 'content-type': 'application/fhir+json', ...(await hub.tokens.headers(SAMPLE_PRACTICE, 'sender')) };
const r = await fetch(`${hub.baseUrl}/$process-message`, {
  method: 'POST',
  headers: { ...headers, 'x-request-id': crypto.randomUUID(), 'x-correlation-id': crypto.randomUUID() },
  body: JSON.stringify(referralMessage({ senderOds: SAMPLE_PRACTICE, category: 'social-prescribing' })),
});
console.log(r.status);
await new Promise((res) => setTimeout(res, 1500));
const db = new DynamoDBClient({ ...LOCAL_AWS, endpoint: hub.services.dynamoEndpoint });
const { Items } = await db.send(new ScanCommand({ TableName: 'pcn-hub-messages' }));
for (const item of Items ?? []) {
  const sizes = Object.fromEntries(Object.entries(item).map(([k, v]) => [k, dyn.itemSize({ [k]: v })]));
  console.log(dyn.itemSize(item), sizes, item.status);
}
await hub.stop();
