import { requireOrganisation, requireRole } from '../auth.js';
import {
  BadRequestError,
  ForbiddenError,
  type Issue,
  issue,
  NotSupportedError,
  UnknownTargetError,
  UnprocessableError,
} from '../errors.js';
import { identifierValue, type MessageBundle, resolveInBundle, senderOrganization } from '../fhir/bundle.js';
import { EVENTS, SYSTEMS } from '../fhir/systems.js';
import { resolveRoute } from '../routing/resolve.js';
import { routingContext } from '../routing/routing-context.js';
import { CHANGE_REASONS, type ValidatedMessage, validateMessage } from '../validation/validate-message.js';
import type { HubDependencies } from './dependencies.js';
import { acceptAnswer } from './ingest/answers.js';
import { acceptRequest, destinationTarget } from './ingest/requests.js';
import type { Accepted, InboundMessage } from './ingest/stored.js';

export type { Accepted, InboundMessage } from './ingest/stored.js';

/**
 * $process-message: validate, authorise, de-duplicate, route, store durably, enqueue, answer.
 * Requests (referrals, care-home tasks) are routed by the network's tables; answers (responses, task updates) go
 * back to the other party of the original message.
 */
export async function ingestMessage(deps: HubDependencies, inbound: InboundMessage): Promise<Accepted> {
  const callerOrganisation = requireOrganisation(inbound.caller);
  let message: ValidatedMessage;
  try {
    message = validateMessage(inbound.body);
  } catch (error) {
    // Tell the sender everything at once: a message both invalid and sent as another organisation says both.
    if (error instanceof BadRequestError || error instanceof UnprocessableError) {
      const claimed = claimedSender(inbound.body);
      const mismatch = senderMismatch(claimed, callerOrganisation);
      if (mismatch) error.issues.push(mismatch);
      const routing = await routingProblems(deps, inbound, claimed ?? callerOrganisation);
      error.issues.push(...routing);
      // BaRS: a request for what the hub does not offer is "not supported" (422) whatever else is wrong with it:
      // the sender must send it elsewhere, not correct it and try again.
      if (routing.some((i) => i.code === 'not-supported'))
        throw new NotSupportedError('The hub does not offer this', error.issues);
    }
    throw error;
  }
  const mismatch = senderMismatch(senderOdsCode(message), callerOrganisation);
  if (mismatch) throw new ForbiddenError('Sender mismatch', [mismatch]);
  const senderOrganisation = callerOrganisation;
  const event = message.header.eventCoding?.code;
  const isAnswer = event === EVENTS.referralResponse || event === EVENTS.taskUpdate;
  if (!isAnswer) requireRole(inbound.caller, ['sender'], 'Sending a referral, Task, update or cancellation');
  return isAnswer
    ? acceptAnswer(deps, inbound, message, senderOrganisation)
    : acceptRequest(deps, inbound, message, senderOrganisation);
}

function senderMismatch(sender: string | undefined, caller: string) {
  if (sender === caller) return undefined;
  return issue(
    'forbidden',
    `MessageHeader.sender is ${sender ?? 'not an ODS-coded organisation'}, but the caller is ${caller}`,
    'Bundle.entry[0].resource.sender',
  );
}

/**
 * Where an invalid message could not go, when it can be read far enough to ask the routing tables: so the sender
 * learns of an unknown practice or a service with no route in the same answer as its validation problems.
 */
async function routingProblems(deps: HubDependencies, inbound: InboundMessage, sender: string): Promise<Issue[]> {
  try {
    const bundle = inbound.body as MessageBundle;
    const header = bundle.entry?.[0]?.resource;
    if (header?.resourceType !== 'MessageHeader') return [];
    if (header.eventCoding?.code !== EVENTS.referralRequest && header.eventCoding?.code !== EVENTS.careHomeTaskRequest)
      return [];
    // An update or cancellation goes where its referral went: the rules have nothing to say of it.
    const reason = header.reason?.coding?.find((c) => c.system === SYSTEMS.barsMessageReason)?.code;
    if (CHANGE_REASONS.includes(reason as (typeof CHANGE_REASONS)[number])) return [];
    const focus = resolveInBundle(bundle, header.focus?.[0]?.reference)?.resource;
    if (focus?.resourceType !== 'ServiceRequest' && focus?.resourceType !== 'Task') return [];
    const network = await deps.directory.networkOfPractice(sender);
    if (!network) {
      return [
        issue(
          'business-rule',
          `Practice ${sender} is not a member of any network the hub serves`,
          'Bundle.entry[0].resource.sender',
        ),
      ];
    }
    const context = routingContext(bundle, focus, sender, deps.categories, deps.clock.now(), network.useCases);
    const target = inbound.target ?? destinationTarget(header);
    if (target) context.explicitTarget = target;
    resolveRoute(network, context);
    return [];
  } catch (error) {
    // A routing refusal says what it would have said; anything else means the message is too broken to ask.
    const routing =
      error instanceof UnprocessableError || error instanceof NotSupportedError || error instanceof UnknownTargetError;
    return routing ? error.issues : [];
  }
}

/** The sender a message that failed validation claims, when it can be read at all. */
function claimedSender(body: unknown): string | undefined {
  try {
    const bundle = body as MessageBundle;
    const header = bundle.entry?.[0]?.resource;
    if (header?.resourceType !== 'MessageHeader') return undefined;
    const value = identifierValue(senderOrganization(bundle, header)?.identifier, SYSTEMS.odsOrganisation);
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined; // too malformed to say: the validation issues speak for it
  }
}

/** The ODS code of MessageHeader.sender (an Organization, or a PractitionerRole's organization). */
function senderOdsCode(message: ValidatedMessage): string | undefined {
  return identifierValue(senderOrganization(message.bundle, message.header)?.identifier, SYSTEMS.odsOrganisation);
}
