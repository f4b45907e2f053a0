/**
 * `npm run send-sample [-- BASE_URL] [--category CODE] [--sender ODS]`: sends a sample referral (Hilltops Medical
 * Centre -> social prescribing by default) to a running hub, then follows it until it reaches the receiver.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { endUserOrganisationHeader } from '../core/auth.js';
import { FHIR_JSON } from '../core/fhir/systems.js';
import type { MessageRecord } from '../core/lifecycle/message-record.js';
import { LOCAL_OPS_ODS } from '../local/identities.js';
import { referralMessage } from '../local/messages.js';

/** How long to follow the message after the hub accepted it (local retries of a failing receiver take about 15 s). */
const FOLLOW_SECONDS = 20;
/** How often to read its status meanwhile. */
const POLL_MS = 500;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    category: { type: 'string', default: 'social-prescribing' },
    sender: { type: 'string', default: 'Z9W001' },
  },
});
const base = (positionals[0] ?? `http://localhost:${process.env.PORT ?? 8080}`).replace(/\/$/, '');
const sender = values.sender!;
const bundle = referralMessage({ senderOds: sender, category: values.category! });
const requestId = randomUUID();
const correlationId = randomUUID();

console.log(`POST ${base}/$process-message  (Bundle ${bundle.id}, ${values.category} from ${sender})`);
const response = await fetch(`${base}/$process-message`, {
  method: 'POST',
  headers: {
    'content-type': FHIR_JSON,
    accept: FHIR_JSON,
    'x-request-id': requestId,
    'x-correlation-id': correlationId,
    'nhsd-end-user-organisation': endUserOrganisationHeader(sender),
  },
  body: JSON.stringify(bundle),
}).catch((error: Error) => {
  console.error(`Could not reach the hub at ${base}: ${error.message}. Is it running (npm start)?`);
  process.exit(1);
});
const answer = (await response.json()) as { issue?: { diagnostics?: string }[] };
console.log(`HTTP ${response.status}: ${answer.issue?.map((i) => i.diagnostics).join('; ')}`);
if (response.status !== 202) process.exit(1);

const asSender = { 'nhsd-end-user-organisation': endUserOrganisationHeader(sender) };
let record: MessageRecord | undefined;
for (let i = 0; i < (FOLLOW_SECONDS * 1000) / POLL_MS; i++) {
  record = (await (await fetch(`${base}/messages/${bundle.id}`, { headers: asSender })).json()) as MessageRecord;
  if (['delivered', 'in-mailbox', 'acknowledged', 'failed'].includes(record.status)) break;
  await new Promise((r) => setTimeout(r, POLL_MS));
}
console.log(`\nStatus: ${record?.status}${record?.outcome ? `, receiver outcome: ${record.outcome}` : ''}`);
for (const event of record?.timeline ?? [])
  console.log(`  ${event.at}  ${event.type}${event.detail ? `  ${event.detail}` : ''}`);
const receiver = record?.destination.organisation ?? '';
if (record?.status === 'in-mailbox') {
  const header = endUserOrganisationHeader(receiver);
  console.log(`\nThe receiver (${record.destination.organisationName}, ${receiver}) can now pull it:
  curl -s ${base}/mailbox -H 'NHSD-End-User-Organisation: ${header}'
  curl -s ${base}/mailbox/${bundle.id} -H 'NHSD-End-User-Organisation: ${header}'
  curl -s -X POST '${base}/mailbox/${bundle.id}/$acknowledge' -H 'NHSD-End-User-Organisation: ${header}'`);
}
if (record?.status === 'failed') {
  const ops = endUserOrganisationHeader(LOCAL_OPS_ODS);
  console.log(`\nIt failed, and ${sender} was sent a fatal-error response. Ops see it and can replay it (here to another service):
  curl -s '${base}/messages?status=failed' -H 'NHSD-End-User-Organisation: ${ops}'
  curl -s -X POST '${base}/messages/${bundle.id}/$replay' -H 'NHSD-End-User-Organisation: ${ops}' -d '{"service":"mk-social-prescribing"}'`);
}
console.log(`\nThe sender follows it with:
  curl -s ${base}/messages/${bundle.id} -H 'NHSD-End-User-Organisation: ${asSender['nhsd-end-user-organisation']}'`);
