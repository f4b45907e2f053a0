/** `npm run send-sample`: sends a sample referral to a running hub and follows it (see USAGE below). */
import { randomUUID } from 'node:crypto';
import { FHIR_JSON } from '../core/fhir/systems.js';
import type { MessageRecord } from '../core/lifecycle/message-record.js';
import { HUB_CATEGORIES } from '../core/routing/routing-context.js';
import { commandLine } from '../local/cli.js';
import { LOCAL_OPS_ODS, SAMPLE_PRACTICE } from '../local/identities.js';
import { findLocalHub } from '../local/local-endpoints.js';
import { readSampleClients } from '../local/sample-clients.js';
import { referralMessage } from '../local/sample-messages.js';
import { TokenSource } from '../local/token-client.js';

/** How long to follow the message after the hub accepted it (local retries of a failing receiver take about 15 s). */
const FOLLOW_SECONDS = 20;
/** How long to wait for a pushed referral's answers (the simulated community team completes within seconds). */
const ANSWERS_SECONDS = 15;
/** How often to read its status meanwhile. */
const POLL_MS = 500;

const USAGE = `npm run send-sample [-- BASE_URL] [--category CODE] [--sender ODS]

Sends a sample referral (a FHIR message Bundle with the BaRS headers) to a running hub, then follows it: through
delivery, and for a pushed referral until the receiver's answers arrive, printing the commands the receiver and
the practice use next.

  BASE_URL          the hub (default: the running local hub, found however npm start was started); it signs in
                    as the local hub's sample clients (their keys are in its data directory)
  --category CODE   the service asked for (default social-prescribing), a code of the hub's service categories:
${wrap([...HUB_CATEGORIES.codes].join(', '), 20, 96)}
  --sender ODS      the referring practice (default ${SAMPLE_PRACTICE}, Hilltops Medical Centre)
  -h, --help        this help`;

/** A list broken into lines of at most `width` characters, each indented by `indent` spaces. */
function wrap(text: string, indent: number, width: number): string {
  const lines: string[] = [];
  for (const word of text.split(' ')) {
    const last = lines.length - 1;
    if (last >= 0 && indent + lines[last]!.length + 1 + word.length <= width) lines[last] += ` ${word}`;
    else lines.push(word);
  }
  return lines.map((line) => `${' '.repeat(indent)}${line}`).join('\n');
}

const { values, positionals } = commandLine(
  USAGE,
  { category: { type: 'string', default: 'social-prescribing' }, sender: { type: 'string', default: SAMPLE_PRACTICE } },
  true,
);
if (!HUB_CATEGORIES.codes.has(values.category!)) {
  console.error(`--category ${values.category} is not a service category of the hub\n\n${USAGE}`);
  process.exit(2);
}
const local = await findLocalHub().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
const base = (positionals[0] ?? local.baseUrl).replace(/\/$/, '');
const tokens = new TokenSource(() => base, readSampleClients(local.dataDir));
const sender = values.sender!;
/** How a reader of this output gets a token for an organisation: the token command, in the shell. */
const bearer = (ods: string, role?: string) =>
  `-H "Authorization: Bearer $(npm run --silent token -- --org ${ods}${role ? ` --role ${role}` : ''})"`;
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
    ...(await tokens.headers(sender, 'sender')),
  },
  body: JSON.stringify(bundle),
}).catch((error: Error) => {
  console.error(`Could not reach the hub at ${base}: ${error.message}. Is it running (npm start)?`);
  process.exit(1);
});
const answer = (await response.json()) as { issue?: { diagnostics?: string }[] };
console.log(`HTTP ${response.status}: ${answer.issue?.map((i) => i.diagnostics).join('; ')}`);
if (response.status !== 202) process.exit(1);

const asSender = await tokens.headers(sender, 'sender');
let record: MessageRecord | undefined;
for (let i = 0; i < (FOLLOW_SECONDS * 1000) / POLL_MS; i++) {
  record = (await (await fetch(`${base}/messages/${bundle.id}`, { headers: asSender })).json()) as MessageRecord;
  if (['delivered', 'in-mailbox', 'acknowledged', 'failed'].includes(record.status)) break;
  await new Promise((r) => setTimeout(r, POLL_MS));
}
if (record?.status === 'delivered') {
  // Pushed: the receiver's system answers through the hub (accepted, then completed); follow until it is final.
  const final = ['completed', 'rejected', 'cancelled', 'failed'];
  for (let i = 0; i < (ANSWERS_SECONDS * 1000) / POLL_MS && !final.includes(record.outcome ?? ''); i++) {
    await new Promise((r) => setTimeout(r, POLL_MS));
    record = (await (await fetch(`${base}/messages/${bundle.id}`, { headers: asSender })).json()) as MessageRecord;
  }
}
console.log(`\nStatus: ${record?.status}${record?.outcome ? `, receiver outcome: ${record.outcome}` : ''}`);
for (const event of record?.timeline ?? [])
  console.log(`  ${event.at}  ${event.type}${event.detail ? `  ${event.detail}` : ''}`);
const receiver = record?.destination.organisation ?? '';
if (record?.status === 'in-mailbox') {
  const as = bearer(receiver, 'receiver');
  console.log(`\nThe receiver (${record.destination.organisationName}, ${receiver}) can now pull it:
  curl -s ${base}/mailbox ${as}
  curl -s ${base}/mailbox/${bundle.id} ${as}
  curl -s -X POST '${base}/mailbox/${bundle.id}/$acknowledge' ${as}`);
}
if (record?.status === 'failed') {
  const ops = bearer(LOCAL_OPS_ODS);
  console.log(`\nIt failed, and ${sender} was sent a fatal-error response. Ops see it and can replay it (here to another service):
  curl -s '${base}/messages?status=failed' ${ops}
  curl -s -X POST '${base}/messages/${bundle.id}/$replay' ${ops} -d '{"service":"mk-social-prescribing"}'`);
}
if (record?.timeline.some((e) => e.type === 'responded' || e.type === 'sender-notified')) {
  console.log(`\nThe answers come back to ${sender}: by its own FHIR endpoint when the directory lists one, else in its mailbox:
  curl -s ${base}/mailbox ${bearer(sender)}`);
}
console.log(`\nThe sender follows it with:
  curl -s ${base}/messages/${bundle.id} ${bearer(sender)}`);
