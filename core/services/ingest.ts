import type { MessageHeader, OperationOutcome, ServiceRequest, Task } from 'fhir/r4';
import { type Caller, requireOrganisation, requireRole } from '../auth.js';
import {
  BadRequestError,
  ConflictError,
  DuplicateMessageError,
  ForbiddenError,
  IllegalTransitionError,
  type Issue,
  issue,
  TooEarlyError,
  UnprocessableError,
} from '../errors.js';
import {
  identifierValue,
  type MessageBundle,
  parseSystemValue,
  resolveInBundle,
  senderOrganization,
} from '../fhir/bundle.js';
import { EVENTS, SYSTEMS } from '../fhir/systems.js';
import { FINISHED_TASK_STATES, respondBy } from '../lifecycle/deadlines.js';
import {
  type Destination,
  type MessageRecord,
  type ReceiverOutcome,
  type TaskState,
  type TimelineEvent,
  timelineEvent,
} from '../lifecycle/message-record.js';
import { outcomeChange, statusChange, taskChange } from '../lifecycle/transitions.js';
import type { MessageChange } from '../ports.js';
import { weekStart } from '../routing/availability.js';
import { destinationOfService, returnAddress } from '../routing/destinations.js';
import { type CompiledNetwork, type RoutingContext, resolveRoute } from '../routing/resolve.js';
import { routingContext } from '../routing/routing-context.js';
import { type ValidatedMessage, validateMessage } from '../validation/validate-message.js';
import type { HubDependencies } from './dependencies.js';

export interface InboundMessage {
  body: unknown;
  requestId: string;
  correlationId: string;
  caller: Caller;
  /** Decoded NHSD-Target-Identifier, when sent. */
  target?: { system: string; value: string };
}

export interface Accepted {
  record: MessageRecord;
  /** Informative body for the 202: where the message is going. */
  outcome: OperationOutcome;
}

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
      error.issues.push(...(await routingProblems(deps, inbound, claimed ?? callerOrganisation)));
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

async function acceptRequest(
  deps: HubDependencies,
  inbound: InboundMessage,
  message: ValidatedMessage,
  sender: string,
): Promise<Accepted> {
  const now = deps.clock.now();
  const network = await deps.directory.networkOfPractice(sender);
  if (!network) {
    throw new UnprocessableError('Unknown practice', [
      issue(
        'business-rule',
        `Practice ${sender} is not a member of any network the hub serves`,
        'Bundle.entry[0].resource.sender',
      ),
    ]);
  }
  const reason = message.header.reason?.coding?.find((c) => c.system === SYSTEMS.barsMessageReason)?.code;
  if (reason === 'update' || reason === 'delete') return acceptUpdate(deps, inbound, message, sender, reason);
  const context = routingContext(message.bundle, message.focus as ServiceRequest | Task, sender, deps.categories, now);
  const target = inbound.target ?? destinationTarget(message.header);
  if (target) context.explicitTarget = target;
  const decision = await resolveWithinCapacity(deps, network, context);
  const destination = destinationOfService(network, decision.service);
  const record = newRecord(message, inbound, sender, destination, 'request', now);
  if (context.urgency && context.urgency !== 'routine') record.urgency = context.urgency;
  record.route = {
    networkId: decision.networkId,
    ruleId: decision.ruleId,
    category: context.category,
    explanation: decision.explanation,
    ...(decision.divertedFrom
      ? { divertedFrom: decision.divertedFrom, divertedBecause: decision.divertedBecause ?? 'paused' }
      : {}),
  };
  record.timeline.push(
    timelineEvent('routed', now, {
      detail: `${context.category} -> ${decision.service.name} (${decision.provider.odsCode}) by rule ${decision.ruleId}${decision.divertedFrom ? `, diverted from ${decision.divertedFrom} (${decision.divertedBecause})` : ''}`,
    }),
  );
  const focus = message.focus;
  if (focus?.resourceType === 'Task') {
    record.task = {
      status: focus.status,
      ...(businessStatusOf(focus) ? { businessStatus: businessStatusOf(focus)! } : {}),
      notes: notesOf(focus, sender, now),
      ...(context.careHome ? { careHome: context.careHome } : {}),
    };
  }
  // A Task is due when it says (restriction.period.end); a referral by its route's response time.
  const taskDue = focus?.resourceType === 'Task' ? focus.restriction?.period?.end : undefined;
  const route = network.definition.routes.find((r) => r.id === decision.ruleId);
  record.dueAt = taskDue
    ? new Date(taskDue).toISOString()
    : respondBy(route, context.urgency, now, deps.secondsPerResponseHour).toISOString();
  await storeAndEnqueue(deps, record, message.bundle);
  return { record, outcome: acceptedOutcome(record) };
}

/**
 * Resolves the route, then holds the chosen service to its team's weekly capacity: a service that has taken its
 * number this week counts as unavailable, and the referral goes to its fallback (the count is of messages routed to
 * it since Monday, so two referrals at the same moment may both get the last place: a soft limit).
 */
async function resolveWithinCapacity(deps: HubDependencies, network: CompiledNetwork, context: RoutingContext) {
  const full = new Set<string>();
  for (;;) {
    const decision = resolveRoute(network, { ...context, fullServices: full });
    const capacity = network.availability.get(decision.service.id)?.weeklyCapacity;
    if (capacity === undefined || full.has(decision.service.id)) return decision;
    const taken = await deps.store.countToService(
      decision.provider.odsCode,
      decision.service.id,
      weekStart(context.at),
    );
    if (taken < capacity) return decision;
    full.add(decision.service.id);
  }
}

function businessStatusOf(task: Task): string | undefined {
  return (
    task.businessStatus?.text ?? task.businessStatus?.coding?.[0]?.display ?? task.businessStatus?.coding?.[0]?.code
  );
}

/** Task.note as kept on the record: who added it (the sending organisation) and when. */
function notesOf(task: Task, author: string, now: Date): TaskState['notes'] {
  return (task.note ?? [])
    .filter((n) => typeof n.text === 'string')
    .map((n) => ({ at: n.time ?? now.toISOString(), author, text: n.text }));
}

/** The rule an update or cancellation is routed by: where its referral went. */
const UPDATE_RULE_PREFIX = 'update-of:';

/** Most messages of one case the hub reads to find the referral an update belongs to. */
const CASE_LOOKUP_LIMIT = 100;

/**
 * BaRS updates and cancellations (reason update/delete; a cancellation is an update with status revoked) go where
 * the case's referral went, whatever the routing rules say now: the receiver holding the referral must get them.
 */
async function acceptUpdate(
  deps: HubDependencies,
  inbound: InboundMessage,
  message: ValidatedMessage,
  sender: string,
  reason: 'update' | 'delete',
): Promise<Accepted> {
  const now = deps.clock.now();
  const caseMessages = (await deps.store.listByCorrelation(inbound.correlationId, CASE_LOOKUP_LIMIT)).items;
  const original = caseMessages.find(
    (m) =>
      m.kind === 'request' &&
      m.senderOrganisation === sender &&
      m.event === message.header.eventCoding?.code &&
      !m.route?.ruleId.startsWith(UPDATE_RULE_PREFIX), // the referral itself, not an earlier update of it
  );
  if (!original) {
    throw new UnprocessableError('Unknown case', [
      issue(
        'business-rule',
        `An update or cancellation must carry the X-Correlation-Id of the referral it changes; the hub has no referral from ${sender} in case ${inbound.correlationId}`,
        'X-Correlation-Id',
      ),
    ]);
  }
  // BaRS: a cancellation is reason 'delete', or an update whose ServiceRequest is revoked. Refused when the
  // referral's outcome is already final (a completed referral cannot be cancelled).
  const cancels =
    reason === 'delete' || (message.focus?.resourceType === 'ServiceRequest' && message.focus.status === 'revoked');
  /** The referral's side of the link: cancelled (its outcome) or updated, pointing at the update. */
  const link = async (updateId: string) => {
    if (cancels) {
      await applyAnswer(deps, original.messageId, { outcome: 'cancelled' }, (at) =>
        timelineEvent('cancelled', at, { detail: `${sender} cancelled the referral`, relatedMessageId: updateId }),
      );
    } else {
      await deps.store.update(original.messageId, {
        events: [timelineEvent('updated', now, { detail: `${sender} sent an update`, relatedMessageId: updateId })],
        at: now,
      });
    }
  };
  const known = await deps.store.get(message.bundle.id!);
  if (known) {
    // A repeat of an update the hub stored: if the process stopped before the referral was linked, link it now.
    const linked = original.timeline.some((e) => e.relatedMessageId === known.messageId);
    if (known.route?.ruleId === `${UPDATE_RULE_PREFIX}${original.messageId}` && !linked) await link(known.messageId);
    await refuseIfKnown(deps, known.messageId, known, inbound.requestId);
  }
  if (cancels) outcomeChange(original, 'cancelled', { events: [], at: now });
  const record = newRecord(message, inbound, sender, original.destination, 'request', now);
  if (original.route)
    record.route = {
      ...original.route,
      ruleId: `${UPDATE_RULE_PREFIX}${original.messageId}`,
      explanation: [`${cancels ? 'cancellation' : 'update'} of ${original.messageId}: sent where the referral went`],
    };
  record.timeline.push(
    timelineEvent('routed', now, {
      detail: `${cancels ? 'cancellation' : 'update'} of ${original.messageId} -> ${original.destination.serviceName ?? original.destination.organisation} (${original.destination.organisation})`,
      relatedMessageId: original.messageId,
    }),
  );
  await storeAndEnqueue(deps, record, message.bundle);
  await link(record.messageId);
  return { record, outcome: acceptedOutcome(record) };
}

async function acceptAnswer(
  deps: HubDependencies,
  inbound: InboundMessage,
  message: ValidatedMessage,
  sender: string,
): Promise<Accepted> {
  const now = deps.clock.now();
  const originalId = message.header.response?.identifier ?? '';
  const original = await deps.store.get(originalId);
  if (!original) throw unknownOriginal(originalId);
  if (sender !== original.senderOrganisation && sender !== original.destination.organisation) {
    // Not a party: told exactly what an unknown id is told, so ids cannot be probed.
    throw unknownOriginal(originalId);
  }
  const focusStatus = message.focus?.resourceType === 'Task' ? message.focus.status : undefined;
  const requesterCancelsTask = original.task !== undefined && focusStatus === 'cancelled';
  const asReceiver = sender === original.destination.organisation;
  if (asReceiver) requireRole(inbound.caller, ['receiver'], 'Answering a message delivered to this organisation');
  else if (requesterCancelsTask) requireRole(inbound.caller, ['sender'], 'Cancelling a Task');
  if (!asReceiver && !requesterCancelsTask) {
    throw new ForbiddenError('Not the receiver', [
      issue(
        'forbidden',
        `An answer to message ${originalId} comes from ${original.destination.organisation}, the organisation it was delivered to; its sender changes it with an update or cancellation`,
        'Bundle.entry[0].resource.sender',
      ),
    ]);
  }
  if (inbound.correlationId !== original.correlationId) {
    throw new UnprocessableError('Correlation mismatch', [
      issue(
        'business-rule',
        `X-Correlation-Id must be the one of the original message (${original.correlationId})`,
        'X-Correlation-Id',
      ),
    ]);
  }
  const answer = answerOf(message, sender, now);
  const said = [
    answer.task && original.task
      ? `task ${answer.task.status}${answer.task.businessStatus ? ` (${answer.task.businessStatus})` : ''}`
      : undefined,
    answer.outcome ?? (answer.task ? undefined : message.header.response?.code),
  ].filter(Boolean);
  const answered = (answerId: string) => (at: Date) =>
    timelineEvent(answer.task && original.task ? 'task-updated' : 'responded', at, {
      detail: `${sender} answered: ${said.join('; ')}`,
      relatedMessageId: answerId,
    });
  const known = await deps.store.get(message.bundle.id!);
  if (known) {
    // A repeat of an answer the hub stored: if the process stopped before the original took it in, finish that now.
    if (known.inReplyTo === originalId && !original.timeline.some((e) => e.relatedMessageId === known.messageId)) {
      await applyAnswer(deps, originalId, answer, answered(known.messageId));
    }
    await refuseIfKnown(deps, known.messageId, known, inbound.requestId);
  }
  // Refused before anything is stored when the outcome or the Task's status may not follow the current one.
  answerChange(original, answer, { events: [], at: now });
  const otherParty =
    sender === original.senderOrganisation ? original.destination.organisation : original.senderOrganisation;
  const destination = await returnAddress(deps.directory, otherParty);
  const record = newRecord(message, inbound, sender, destination, 'response', now);
  record.inReplyTo = originalId;
  if (answer.outcome) record.outcome = answer.outcome;
  if (answer.reason) record.outcomeReason = answer.reason;
  record.timeline.push(
    timelineEvent('routed', now, {
      detail: `answer to ${originalId}: back to ${otherParty}`,
      relatedMessageId: originalId,
    }),
  );
  await storeAndEnqueue(deps, record, message.bundle);
  await applyAnswer(deps, originalId, answer, answered(record.messageId));
  deps.metric('ResponseAccepted');
  return { record, outcome: acceptedOutcome(record) };
}

function unknownOriginal(originalId: string): UnprocessableError {
  return new UnprocessableError('Unknown original', [
    issue(
      'not-found',
      `MessageHeader.response.identifier ${originalId} names no message the hub carried`,
      'Bundle.entry[0].resource.response.identifier',
    ),
  ]);
}

/** What an answer says: the receiver's outcome, its reason, and for a Task its new FHIR state. */
interface Answer {
  outcome?: ReceiverOutcome;
  reason?: string;
  task?: { status: TaskState['status']; businessStatus?: string; notes: TaskState['notes'] };
}

function answerOf(message: ValidatedMessage, sender: string, now: Date): Answer {
  const focus = message.focus;
  const task =
    focus?.resourceType === 'Task'
      ? {
          status: focus.status,
          ...(businessStatusOf(focus) ? { businessStatus: businessStatusOf(focus)! } : {}),
          notes: notesOf(focus, sender, now),
        }
      : undefined;
  return { ...receiverOutcome(message), ...(task ? { task } : {}) };
}

/**
 * The change an answer makes to its original, checked against the outcome table and, for a Task, R4's Task state
 * machine (each throws IllegalTransitionError), conditional on the states read. A referral that is answered, or a
 * Task that is finished, leaves the deadline sweep's watch. Undefined when it changes no state.
 */
function answerChange(current: MessageRecord, answer: Answer, rest: { events: TimelineEvent[]; at: Date }) {
  const extra = answer.reason ? { outcomeReason: answer.reason } : {};
  const task =
    answer.task && current.task
      ? taskChange(
          current,
          {
            ...current.task,
            status: answer.task.status,
            ...(answer.task.businessStatus ? { businessStatus: answer.task.businessStatus } : {}),
            notes: [...current.task.notes, ...answer.task.notes],
          },
          rest,
        )
      : undefined;
  // The Task's own state machine speaks first: its refusal names the Task's states.
  const outcome = answer.outcome ? outcomeChange(current, answer.outcome, { ...rest, ...extra }) : undefined;
  if (!outcome && !task) return undefined;
  const finished = current.task
    ? task?.task && FINISHED_TASK_STATES.includes(task.task.status)
    : answer.outcome !== undefined;
  return {
    ...rest,
    ...extra,
    ...outcome,
    ...task,
    expect: { ...outcome?.expect, ...task?.expect },
    ...(finished ? { clearDue: true as const } : {}),
  } satisfies MessageChange;
}

/** Times an answer's write is retried when another answer changed the original between read and write. */
const ANSWER_WRITE_ATTEMPTS = 3;

/**
 * Applies an answer to its original, conditional on the states read. A concurrent answer that got there first
 * makes it read again and re-check the tables; if the change is no longer allowed the answer (already forwarded)
 * is noted on the timeline without changing any state.
 */
async function applyAnswer(
  deps: HubDependencies,
  messageId: string,
  answer: Answer,
  event: (at: Date) => TimelineEvent,
): Promise<void> {
  for (let attempt = 0; attempt < ANSWER_WRITE_ATTEMPTS; attempt++) {
    const current = await deps.store.get(messageId);
    if (!current) return;
    const at = deps.clock.now();
    let change: MessageChange | undefined;
    try {
      change = answerChange(current, answer, { events: [event(at)], at });
    } catch (error) {
      if (!(error instanceof IllegalTransitionError)) throw error;
      const ignored = event(at);
      await deps.store.update(messageId, {
        events: [{ ...ignored, detail: `${ignored.detail} (not applied: ${error.issues[0]?.diagnostics})` }],
        at,
      });
      return;
    }
    if (await deps.store.update(messageId, change ?? { events: [event(at)], at })) return;
  }
  deps.log.error('answer not applied after retries', { messageId });
}

/** BaRS duplicates: a message identity the hub already holds is answered 409 and never processed again. */
async function refuseIfKnown(
  deps: HubDependencies,
  messageId: string,
  known?: MessageRecord,
  requestId?: string,
): Promise<void> {
  const existing = known ?? (await deps.store.get(messageId));
  if (!existing) return;
  const inFlight =
    existing.status === 'accepted' &&
    existing.requestId === requestId &&
    deps.clock.now().getTime() - Date.parse(existing.createdAt) < IN_FLIGHT_SECONDS * 1000;
  if (inFlight) {
    // BaRS: the first request with this X-Request-Id is still being processed; a second processing never starts.
    throw new TooEarlyError('Still processing', [
      issue('duplicate', `Request ${requestId} for message ${messageId} is still being processed; ask again shortly`),
    ]);
  }
  deps.metric('MessageDuplicate');
  throw new DuplicateMessageError('Duplicate', [
    issue(
      'duplicate',
      `Message ${messageId} was already received at ${existing.createdAt} (X-Request-Id ${existing.requestId}); its status is ${existing.status}. It was not processed again.`,
    ),
  ]);
}

/** How long after it was stored a message still 'accepted' may be in its first request's hands (ingest's timeout). */
const IN_FLIGHT_SECONDS = 30;

/** Stores first (the durable yes), then enqueues; a failed enqueue leaves the message 'accepted' for the sweep. */
async function storeAndEnqueue(deps: HubDependencies, record: MessageRecord, bundle: MessageBundle): Promise<void> {
  if ((await deps.store.create(record, bundle)) === 'duplicate') {
    await refuseIfKnown(deps, record.messageId, undefined, record.requestId);
    throw new ConflictError('Duplicate', [issue('duplicate', `Message ${record.messageId} was already received`)]);
  }
  try {
    await deps.queue.enqueue(record.messageId);
  } catch (error) {
    deps.metric('EnqueueFailed');
    deps.log.error('enqueue failed; the sweep will enqueue it', {
      messageId: record.messageId,
      error: (error as Error).message,
    });
    return;
  }
  const now = deps.clock.now();
  const updated = await deps.store.update(
    record.messageId,
    statusChange(record, 'queued', { events: [timelineEvent('queued', now)], at: now }),
  );
  if (updated) Object.assign(record, updated);
  deps.metric('MessageAccepted');
}

function newRecord(
  message: ValidatedMessage,
  inbound: InboundMessage,
  sender: string,
  destination: Destination,
  kind: MessageRecord['kind'],
  now: Date,
): MessageRecord {
  const at = now.toISOString();
  return {
    messageId: message.bundle.id!,
    kind,
    event: message.header.eventCoding?.code ?? '',
    requestId: inbound.requestId,
    correlationId: inbound.correlationId,
    senderOrganisation: sender,
    destination,
    status: 'accepted',
    attempts: 0,
    replays: 0,
    createdAt: at,
    updatedAt: at,
    timeline: [
      timelineEvent('received', now, { detail: `X-Request-Id ${inbound.requestId}` }),
      timelineEvent('validated', now, { detail: `${message.header.eventCoding?.code} conforms to the hub's profiles` }),
    ],
  };
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
    const context = routingContext(bundle, focus, sender, deps.categories, deps.clock.now());
    const target = inbound.target ?? destinationTarget(header);
    if (target) context.explicitTarget = target;
    resolveRoute(network, context);
    return [];
  } catch (error) {
    // A routing refusal says what it would have said; anything else means the message is too broken to ask.
    return error instanceof UnprocessableError ? error.issues : [];
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

/** BaRS names the receiving service in destination.endpoint as `system|value` (a DoS id or a hub service id). */
function destinationTarget(header: MessageHeader): { system: string; value: string } | undefined {
  const parsed = parseSystemValue(header.destination?.[0]?.endpoint);
  return parsed && (parsed.system === SYSTEMS.dosServiceId || parsed.system === SYSTEMS.hubService)
    ? parsed
    : undefined;
}

/** What the receiver said: a Task's status, else the ServiceRequest's, else response.code (none for transient-error). */
function receiverOutcome(message: ValidatedMessage): { outcome?: ReceiverOutcome; reason?: string } {
  const code = message.header.response?.code;
  const focus = message.focus;
  const reason =
    focus?.resourceType === 'Task' ? (focus.statusReason?.text ?? focus.statusReason?.coding?.[0]?.display) : undefined;
  const withReason = (outcome: ReceiverOutcome) => (reason ? { outcome, reason } : { outcome });
  if (focus?.resourceType === 'Task') {
    const byTask: Record<string, ReceiverOutcome> = {
      accepted: 'accepted',
      received: 'accepted',
      ready: 'accepted',
      rejected: 'rejected',
      'in-progress': 'in-progress',
      'on-hold': 'in-progress',
      completed: 'completed',
      cancelled: 'cancelled',
      failed: 'failed',
    };
    const outcome = byTask[focus.status];
    if (outcome) return withReason(outcome);
  }
  if (code === 'fatal-error') return withReason('rejected');
  // transient-error: the receiver could not process it yet; it says nothing about the referral itself.
  if (code === 'transient-error') return reason ? { reason } : {};
  if (focus?.resourceType === 'ServiceRequest') {
    if (focus.status === 'completed') return withReason('completed');
    if (focus.status === 'revoked' || focus.status === 'entered-in-error') return withReason('rejected');
  }
  return withReason('accepted');
}

function acceptedOutcome(record: MessageRecord): OperationOutcome {
  const d = record.destination;
  const where = d.serviceName ? `${d.serviceName} (${d.organisation})` : d.organisation;
  return {
    resourceType: 'OperationOutcome',
    issue: [
      {
        severity: 'information',
        code: 'informational',
        details: { text: `Message ${record.messageId} accepted: ${record.status}` },
        diagnostics: `Accepted message ${record.messageId} (${record.event}); routed to ${where} by ${d.channel === 'mailbox' ? 'mailbox' : 'FHIR push'}${record.route ? ` under rule ${record.route.ruleId}` : ''}${record.route?.divertedFrom ? ` instead of ${record.route.divertedFrom}, which is ${record.route.divertedBecause}` : ''}. Status: GET /messages/${record.messageId}`,
      },
    ],
  };
}
