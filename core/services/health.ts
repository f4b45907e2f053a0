import { type Caller, requireOps } from '../auth.js';
import { PENDING } from '../lifecycle/delivery-lifecycle.js';
import type { MessageRecord, TimelineEvent } from '../lifecycle/message-record.js';
import type { HubDependencies } from './dependencies.js';

/** How many of a receiving organisation's latest messages its services' health is read from. */
export const HEALTH_SAMPLE = 200;
/** Failed attempts in a row that mark a destination as in trouble. */
export const TROUBLE_AFTER_FAILURES = 3;

export interface ReceiverHealth {
  serviceId: string;
  serviceName: string;
  organisation: string;
  lastSuccess?: string;
  lastFailure?: { at: string; why: string };
  consecutiveFailures: number;
  waiting: number;
  retrying: number;
  /** Mean minutes from receipt to the receiver's first answer, over the answered messages read. */
  averageMinutesToFirstAnswer?: number;
  inTrouble: boolean;
}

/**
 * A message's delivery events made to `serviceId`. A replay or a pass-on moves a message to another service: its
 * earlier attempts stay with the service they were made to (events written before they named one count only after
 * the message's last move).
 */
function deliveryEventsTo(message: MessageRecord, serviceId: string): TimelineEvent[] {
  const lastMove = message.timeline.findLastIndex((e) => e.type === 'replayed' || e.type === 'forwarded');
  return message.timeline.filter((e, i) =>
    e.serviceId ? e.serviceId === serviceId : i > lastMove && message.destination.serviceId === serviceId,
  );
}

/** One service's health from its receiving organisation's latest messages (newest first). */
function healthOf(serviceId: string, serviceName: string, organisation: string, received: MessageRecord[]) {
  const events = received.flatMap((m) => deliveryEventsTo(m, serviceId));
  const messages = received.filter((m) => m.destination.serviceId === serviceId);
  const attempts = events.filter((e) => e.type === 'delivery-attempt').sort((a, b) => b.at.localeCompare(a.at));
  // A push answered 2xx, or a message placed in the receiver's mailbox.
  const lastSuccess = events
    .filter((e) => e.type === 'delivered' || e.type === 'in-mailbox')
    .map((e) => e.at)
    .sort()
    .at(-1);
  const failure = attempts.find((e) => e.result !== 'success');
  const firstSuccess = attempts.findIndex((e) => e.result === 'success');
  const consecutiveFailures = firstSuccess === -1 ? attempts.length : firstSuccess;
  const answered = messages
    .map((m) => ({ m, answer: m.timeline.find((e) => e.type === 'responded' || e.type === 'task-updated') }))
    .filter((x) => x.answer);
  const averageMinutesToFirstAnswer = answered.length
    ? Math.round(
        answered.reduce((sum, { m, answer }) => sum + (Date.parse(answer!.at) - Date.parse(m.createdAt)), 0) /
          answered.length /
          60_000,
      )
    : undefined;
  return {
    serviceId,
    serviceName,
    organisation,
    ...(lastSuccess ? { lastSuccess } : {}),
    ...(failure ? { lastFailure: { at: failure.at, why: failure.detail ?? failure.result ?? 'failed' } } : {}),
    consecutiveFailures,
    waiting: messages.filter((m) => PENDING.includes(m.status)).length,
    retrying: messages.filter((m) => m.status === 'retrying').length,
    ...(averageMinutesToFirstAnswer !== undefined ? { averageMinutesToFirstAnswer } : {}),
    inTrouble: consecutiveFailures >= TROUBLE_AFTER_FAILURES,
  } satisfies ReceiverHealth;
}

/**
 * Ops' view of every receiving service: when it last took a delivery, when and why it last refused one, failures in a
 * row, what waits for it, how soon it answers. Read from each receiving organisation's latest messages.
 */
export async function receiversHealth(deps: HubDependencies, caller: Caller): Promise<ReceiverHealth[]> {
  requireOps(caller);
  const services = (await deps.directory.listNetworks()).flatMap((n) => n.services);
  const byOrganisation = new Map<string, MessageRecord[]>();
  for (const organisation of new Set(services.map((s) => s.provider)))
    byOrganisation.set(organisation, (await deps.store.listByReceiver(organisation, HEALTH_SAMPLE)).items);
  return services
    .map((s) => healthOf(s.id, s.name, s.provider, byOrganisation.get(s.provider) ?? []))
    .sort((a, b) => Number(b.inTrouble) - Number(a.inTrouble) || a.serviceName.localeCompare(b.serviceName));
}
