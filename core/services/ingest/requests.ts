import type { MessageHeader, ServiceRequest, Task } from 'fhir/r4';
import { issue, UnprocessableError } from '../../errors.js';
import { parseSystemValue } from '../../fhir/bundle.js';
import { patientSummaryOf } from '../../fhir/patient-index.js';
import { referrerOf } from '../../fhir/referrer.js';
import { SYSTEMS } from '../../fhir/systems.js';
import { timelineEvent } from '../../lifecycle/message-record.js';
import { respondBy } from '../../lifecycle/response-deadlines.js';
import { weekStart } from '../../routing/availability.js';
import { type CompiledNetwork, type RoutingContext, resolveRoute } from '../../routing/resolve.js';
import { routingContext } from '../../routing/routing-context.js';
import type { ValidatedMessage } from '../../validation/validate-message.js';
import type { HubDependencies } from '../dependencies.js';
import { destinationOfService } from '../destinations.js';
import { acceptUpdate } from './changes.js';
import { type Accepted, acceptedOutcome, type InboundMessage, newRecord, storeAndEnqueue } from './stored.js';
import { businessStatusOf, notesOf } from './task-content.js';

export async function acceptRequest(
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
  const context = routingContext(
    message.bundle,
    message.focus as ServiceRequest | Task,
    sender,
    deps.categories,
    now,
    network.useCases,
  );
  const target = inbound.target ?? destinationTarget(message.header);
  if (target) context.explicitTarget = target;
  const decision = await resolveWithinCapacity(deps, network, context);
  const destination = destinationOfService(network, decision.service);
  const record = newRecord(message, inbound, sender, destination, 'request', now);
  const senderName = network.organisations.get(sender)?.name;
  if (senderName) record.senderName = senderName;
  const patient = patientSummaryOf(message.bundle);
  if (patient) record.patient = patient;
  const referrer = referrerOf(message.bundle);
  if (referrer) record.referrer = referrer;
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
  await storeAndEnqueue(deps, record, message.bundle, inbound.rawBody);
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

/** BaRS names the receiving service in destination.endpoint as `system|value` (a DoS id or a hub service id). */
export function destinationTarget(header: MessageHeader): { system: string; value: string } | undefined {
  const parsed = parseSystemValue(header.destination?.[0]?.endpoint);
  return parsed && (parsed.system === SYSTEMS.dosServiceId || parsed.system === SYSTEMS.hubService)
    ? parsed
    : undefined;
}
