/**
 * A receiving team's say over its own intake, on top of the network's routing tables: not accepting referrals (until
 * a return date), or a weekly capacity. Either diverts new referrals to the service's fallback, as a pause does.
 */
/** A team's emails: counts and a link, never a patient's details. */
export interface TeamEmails {
  to: string;
  urgent: boolean;
  digest: boolean;
}

export interface ServiceAvailability {
  serviceId: string;
  networkId: string;
  acceptingReferrals: boolean;
  /** The first day (YYYY-MM-DD) the service takes referrals again; absent: until the team says otherwise. */
  returnDate?: string;
  /** Referrals the service takes per week (Monday to Sunday, UTC); more divert to its fallback. */
  weeklyCapacity?: number;
  /** Set by ops for a receiver in trouble: deliveries to it wait (no attempt is spent) until resumed. */
  deliveriesPaused?: boolean;
  /** Where the team is told (its shared mailbox): when urgent work arrives, and each morning what waits. */
  emails?: TeamEmails;
  /** Who set it (organisation and client or person), and when. */
  setBy: string;
  setAt: string;
}

const day = (at: Date) => at.toISOString().slice(0, 10);

/** A calendar date (YYYY-MM-DD) as people in England read it: 4 January 2027. */
const written = (date: string) =>
  new Date(`${date}T12:00:00Z`).toLocaleDateString('en-GB', { dateStyle: 'long', timeZone: 'UTC' });

/** Why a service takes no referral at `at` by its team's say, or undefined when it does. */
export function notAcceptingReason(availability: ServiceAvailability | undefined, at: Date): string | undefined {
  if (availability?.deliveriesPaused) return 'paused by the hub operations team';
  if (!availability || availability.acceptingReferrals) return undefined;
  if (availability.returnDate && day(at) >= availability.returnDate) return undefined;
  return availability.returnDate
    ? `not accepting referrals until ${written(availability.returnDate)}`
    : 'not accepting referrals';
}

/** Monday 00:00 UTC of the week `at` falls in: where a weekly capacity is counted from. */
export function weekStart(at: Date): Date {
  const start = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
  start.setUTCDate(start.getUTCDate() - ((start.getUTCDay() + 6) % 7));
  return start;
}

/** The team's availability in words for the directory (and the page). */
export function describeAvailability(availability: ServiceAvailability | undefined, at: Date): string | undefined {
  const closed = notAcceptingReason(availability, at);
  const capacity = availability?.weeklyCapacity;
  return (
    [
      availability?.deliveriesPaused
        ? 'Paused by the hub operations team: deliveries wait'
        : closed &&
          `Not accepting referrals${availability?.returnDate ? ` until ${written(availability.returnDate)}` : ''}`,
      capacity !== undefined && `Takes ${capacity} referrals a week`,
    ]
      .filter(Boolean)
      .join('; ') || undefined
  );
}
