import type { MessageRecord } from '../lifecycle/message-record.js';
import type { Email } from '../ports.js';
import type { ServiceAvailability } from '../routing/availability.js';
import type { HubDependencies } from './dependencies.js';

/**
 * Emails to a receiving team's shared mailbox, so that urgent work is not missed by a team that has no clinical system
 * to alert it: one when urgent work arrives in its inbox, and a digest each morning of what waits. Each says how many
 * and links to the inbox, never who the patient is (an email leaves the hub's protection).
 */

/** The hour (Europe/London) from which a day's digest goes, on the first deadline sweep at or after it. */
export const DIGEST_HOUR = 8;
/** Referrals a digest counts at most, of its team's latest (a busy team's inbox says the rest). */
const DIGEST_SAMPLE = 200;

/** Where a team wants to be told about a service, if it asked. */
async function emailsOf(deps: HubDependencies, serviceId: string | undefined) {
  if (!serviceId || !deps.mailer) return undefined;
  return (await deps.directory.listAvailability()).find((a) => a.serviceId === serviceId)?.emails;
}

/** Sends one email; a failure is logged and counted, never stops the work that asked for it. */
async function send(deps: HubDependencies, email: Email, about: Record<string, string>): Promise<boolean> {
  try {
    await deps.mailer!.send(email);
    deps.metric('TeamEmailed');
    deps.log.info('team emailed', about);
    return true;
  } catch (error) {
    deps.metric('TeamEmailFailed');
    deps.log.error('team email failed', { ...about, error: (error as Error).message });
    return false;
  }
}

const inboxLink = (deps: HubDependencies) => `${deps.self.baseUrl}/app/inbox`;

/** Urgent work just arrived in a team's inbox: tell its shared mailbox, if the team asked. */
export async function tellTeamOfUrgentWork(deps: HubDependencies, record: MessageRecord): Promise<void> {
  if (!record.urgency || record.kind !== 'request') return;
  const emails = await emailsOf(deps, record.destination.serviceId);
  if (!emails?.urgent) return;
  const service = record.destination.serviceName ?? record.destination.organisation;
  await send(
    deps,
    {
      to: emails.to,
      subject: `Urgent referral waiting for ${service}`,
      text: [
        `An urgent referral for ${service} arrived in your inbox at the PCN Referral Hub.`,
        `Open it in the inbox: ${inboxLink(deps)}`,
        'This email does not say who the referral is about: sign in to see it.',
      ].join('\n\n'),
    },
    { messageId: record.messageId, serviceId: record.destination.serviceId ?? '' },
  );
}

/** The London date and hour of a moment. */
function londonDayAndHour(at: Date): { day: string; hour: number } {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/London',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const part = (type: string) => parts.find((p) => p.type === type)!.value;
  return { day: `${part('year')}-${part('month')}-${part('day')}`, hour: Number(part('hour')) };
}

/**
 * Each morning (from DIGEST_HOUR, London), once per service and day whichever sweep runs first: how many referrals
 * wait for the team's answer and how many of those are overdue, with a link to the inbox. Returns how many it sent.
 */
export async function sendDailyDigests(deps: HubDependencies): Promise<number> {
  if (!deps.mailer) return 0;
  const now = deps.clock.now();
  const { day, hour } = londonDayAndHour(now);
  if (hour < DIGEST_HOUR) return 0;
  const wanting = (await deps.directory.listAvailability()).filter((a) => a.emails?.digest);
  let sent = 0;
  for (const availability of wanting) {
    if (!(await deps.operations.markOnce(`digest:${availability.serviceId}:${day}`, now))) continue;
    if (await sendDigest(deps, availability)) sent++;
  }
  return sent;
}

async function sendDigest(deps: HubDependencies, availability: ServiceAvailability): Promise<boolean> {
  const network = (await deps.directory.listNetworks()).find((n) => n.id === availability.networkId);
  const service = network?.services.find((s) => s.id === availability.serviceId);
  if (!service) return false;
  const { items } = await deps.store.listByReceiver(service.provider, DIGEST_SAMPLE);
  const waiting = items.filter(
    (m) => m.kind === 'request' && m.destination.serviceId === service.id && !m.outcome && m.status !== 'withdrawn',
  );
  const overdue = waiting.filter((m) => m.overdue).length;
  const urgent = waiting.filter((m) => m.urgency).length;
  return send(
    deps,
    {
      to: availability.emails!.to,
      subject: `${waiting.length} referral${waiting.length === 1 ? '' : 's'} waiting for ${service.name}`,
      text: [
        waiting.length === 0
          ? `Nothing waits for an answer from ${service.name} this morning.`
          : `${waiting.length} referral${waiting.length === 1 ? '' : 's'} wait for an answer from ${service.name}: ${urgent} urgent, ${overdue} overdue.`,
        `Open the inbox: ${inboxLink(deps)}`,
        'This email does not say who the referrals are about: sign in to see them.',
      ].join('\n\n'),
    },
    { serviceId: service.id },
  );
}
