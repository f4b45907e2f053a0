import { actor, type Caller, requireRole } from '../auth.js';
import { issue, NotFoundError, UnprocessableError } from '../errors.js';
import { DELIVERABLE } from '../lifecycle/delivery-lifecycle.js';
import { queuedDelivery } from '../lifecycle/message-record.js';
import type { ServiceAvailability, TeamEmails } from '../routing/availability.js';
import type { HubDependencies } from './dependencies.js';

/** Most referrals a week a team may say it takes (a sanity bound, far above any PCN service). */
export const MAX_WEEKLY_CAPACITY = 10_000;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A receiving team says whether its service takes new referrals (and from when again), and how many a week. Only the
 * organisation that provides the service may; another organisation's service answers 404, as one that does not exist.
 * New referrals then divert to the service's fallback where the network has one.
 */
export async function setServiceAvailability(
  deps: HubDependencies,
  caller: Caller,
  serviceId: string,
  request: Record<string, unknown>,
): Promise<ServiceAvailability> {
  requireRole(caller, ['receiver', 'ops'], "Setting a service's availability");
  // A team sets its own services'; ops any service's, and only ops pause or resume its deliveries.
  const network = await networkOfOwnService(deps, caller, serviceId);
  const { acceptingReferrals, returnDate, weeklyCapacity, deliveriesPaused, emails } = request;
  const problems = [
    ...(typeof acceptingReferrals === 'boolean'
      ? []
      : [issue('required', 'acceptingReferrals must be true or false', 'acceptingReferrals')]),
    ...(returnDate === undefined ||
    (typeof returnDate === 'string' && DATE.test(returnDate) && !Number.isNaN(Date.parse(returnDate)))
      ? []
      : [issue('value', 'returnDate must be a date, YYYY-MM-DD', 'returnDate')]),
    ...(weeklyCapacity === undefined ||
    (Number.isInteger(weeklyCapacity) &&
      (weeklyCapacity as number) >= 0 &&
      (weeklyCapacity as number) <= MAX_WEEKLY_CAPACITY)
      ? []
      : [issue('value', `weeklyCapacity must be a whole number from 0 to ${MAX_WEEKLY_CAPACITY}`, 'weeklyCapacity')]),
    ...(deliveriesPaused === undefined || (typeof deliveriesPaused === 'boolean' && caller.ops)
      ? []
      : [issue('forbidden', 'Only hub ops pause or resume deliveries (true or false)', 'deliveriesPaused')]),
    ...teamEmailProblems(emails),
  ];
  if (problems.length) throw new UnprocessableError('Bad availability', problems);
  const before = (await deps.directory.listAvailability()).find(
    (a) => a.serviceId === serviceId && a.networkId === network.id,
  );
  const availability: ServiceAvailability = {
    serviceId,
    networkId: network.id,
    acceptingReferrals: acceptingReferrals as boolean,
    ...(returnDate !== undefined && !acceptingReferrals ? { returnDate: returnDate as string } : {}),
    ...(weeklyCapacity !== undefined ? { weeklyCapacity: weeklyCapacity as number } : {}),
    // Ops' pause stands until ops lift it, whatever the team says meanwhile.
    ...((deliveriesPaused ?? before?.deliveriesPaused) ? { deliveriesPaused: true } : {}),
    // The team's emails stand until the team changes them (null: no emails); ops' pause leaves them alone.
    ...teamEmails(emails, before?.emails),
    setBy: actor(caller),
    setAt: deps.clock.now().toISOString(),
  };
  await deps.directory.setAvailability(availability);
  const provider = network.services.find((s) => s.id === serviceId)!.provider;
  if (before?.deliveriesPaused && !availability.deliveriesPaused) await releaseHeld(deps, provider, serviceId);
  deps.log.info('service availability set', { serviceId, acceptingReferrals, weeklyCapacity });
  return availability;
}

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** What is wrong with a team's email settings, if anything: an address, and whether urgent work and digests go. */
function teamEmailProblems(emails: unknown) {
  if (emails === undefined || emails === null) return [];
  const { to, urgent, digest } = emails as Record<string, unknown>;
  return typeof to === 'string' &&
    EMAIL.test(to) &&
    to.length <= 254 &&
    typeof urgent === 'boolean' &&
    typeof digest === 'boolean'
    ? []
    : [
        issue(
          'value',
          'emails must be {"to": "<a shared mailbox>", "urgent": true|false, "digest": true|false}, or null',
          'emails',
        ),
      ];
}

function teamEmails(emails: unknown, before: TeamEmails | undefined): { emails?: TeamEmails } {
  if (emails === null) return {};
  if (emails === undefined) return before ? { emails: before } : {};
  const { to, urgent, digest } = emails as TeamEmails;
  return { emails: { to, urgent, digest } };
}

/** The network of a service the caller's organisation provides (ops: any service); 404 for another's, as for none. */
async function networkOfOwnService(deps: HubDependencies, caller: Caller, serviceId: string) {
  const network = (await deps.directory.listNetworks()).find((n) =>
    n.services.some((s) => s.id === serviceId && (caller.ops || s.provider === caller.organisation)),
  );
  if (!network)
    throw new NotFoundError('No such service', [
      issue('not-found', `No service ${serviceId} of ${caller.organisation}`),
    ]);
  return network;
}

/** What a team has said about its own service (its intake, its emails); none said yet: taking referrals. */
export async function serviceAvailability(
  deps: HubDependencies,
  caller: Caller,
  serviceId: string,
): Promise<Partial<ServiceAvailability> & { serviceId: string }> {
  requireRole(caller, ['receiver', 'ops'], "Reading a service's availability");
  const network = await networkOfOwnService(deps, caller, serviceId);
  const said = (await deps.directory.listAvailability()).find(
    (a) => a.serviceId === serviceId && a.networkId === network.id,
  );
  return said ?? { serviceId, networkId: network.id, acceptingReferrals: true };
}

/** Most waiting messages one resume enqueues (the sweep takes any beyond). */
const RESUME_BATCH = 500;

/** On resume: every message waiting for the service is enqueued again (a duplicate enqueue is harmless). */
async function releaseHeld(deps: HubDependencies, provider: string, serviceId: string): Promise<void> {
  const { items } = await deps.store.listByReceiver(provider, RESUME_BATCH);
  for (const record of items.filter((r) => r.destination.serviceId === serviceId && DELIVERABLE.includes(r.status)))
    await deps.queue.enqueue(queuedDelivery(record));
}
