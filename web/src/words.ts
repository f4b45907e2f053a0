import type { MessageRecord, MessageStatus, ReceiverOutcome } from '../../core/api/responses';

/** The hub's terms in plain words for the screen (no FHIR, no codes). */

const STATUS: Record<MessageStatus, string> = {
  accepted: 'Received by the hub',
  queued: 'Waiting to be sent',
  delivering: 'Being sent',
  retrying: 'Sending again',
  delivered: 'Delivered',
  'in-mailbox': 'Waiting in the inbox',
  acknowledged: 'Collected',
  failed: 'Failed',
  withdrawn: 'Withdrawn',
};

const OUTCOME: Record<ReceiverOutcome, string> = {
  accepted: 'Accepted',
  rejected: 'Rejected',
  'in-progress': 'In progress',
  completed: 'Completed',
  cancelled: 'Cancelled',
  failed: 'Failed',
  forwarded: 'Passed on to another service',
  withdrawn: 'Withdrawn by the hub',
};

const EVENT: Record<string, string> = {
  'servicerequest-request': 'Referral',
  'servicerequest-response': 'Answer to a referral',
  'task-request': 'Care home request',
  'task-update': 'Care home request update',
};

export const statusWords = (status: string) => STATUS[status as MessageStatus] ?? status;
export const outcomeWords = (outcome?: string) =>
  outcome ? (OUTCOME[outcome as ReceiverOutcome] ?? outcome) : 'No answer yet';
export const eventWords = (event: string) => EVENT[event] ?? 'Message';
/** A moment as the NHS writes it, in London time: 4 January 2027 at 4:30pm. */
export const when = (iso: string) => {
  const at = new Date(iso);
  const date = at.toLocaleDateString('en-GB', { dateStyle: 'long', timeZone: 'Europe/London' });
  const [hour, minute] = at
    .toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: 'Europe/London' })
    .split(':')
    .map(Number) as [number, number];
  // The NHS style: 9am, 4:30pm, midday, midnight.
  const time =
    hour === 12 && minute === 0
      ? 'midday'
      : hour === 0 && minute === 0
        ? 'midnight'
        : `${hour % 12 || 12}${minute ? `:${String(minute).padStart(2, '0')}` : ''}${hour < 12 ? 'am' : 'pm'}`;
  return `${date} at ${time}`;
};

/** A calendar date (YYYY-MM-DD) as people in England write it: 14 March 1956. */
export const day = (date: string) =>
  new Date(`${date}T12:00:00Z`).toLocaleDateString('en-GB', { dateStyle: 'long', timeZone: 'Europe/London' });

/** The statuses ops can filter by, in the order a message passes through them. */
export const STATUSES = Object.keys(STATUS) as MessageStatus[];

/** An organisation a message names, by its name where the message knows it (its sender's, its receiver's). */
export const organisationName =
  (message: Pick<MessageRecord, 'senderOrganisation' | 'senderName' | 'destination'>) => (ods: string) =>
    (ods === message.senderOrganisation ? message.senderName : undefined) ??
    (ods === message.destination.organisation ? message.destination.organisationName : undefined) ??
    ods;

/** An NHS number as people read it: 3, 3 and 4 digits (943 476 5919). */
export const nhsNumberWords = (nhsNumber: string) =>
  /^\d{10}$/.test(nhsNumber) ? `${nhsNumber.slice(0, 3)} ${nhsNumber.slice(3, 6)} ${nhsNumber.slice(6)}` : nhsNumber;

/** Whole years of age on a day, from a date of birth (YYYY-MM-DD). */
export function ageOn(birthDate: string, day: Date): number {
  const [year, month, date] = birthDate.split('-').map(Number) as [number, number, number];
  const hadBirthday = day.getUTCMonth() + 1 > month || (day.getUTCMonth() + 1 === month && day.getUTCDate() >= date);
  return day.getUTCFullYear() - year - (hadBirthday ? 0 : 1);
}

/** Whole days from a moment to another (how long something has waited). */
export const daysBetween = (from: string, to: Date) =>
  Math.max(0, Math.floor((to.getTime() - Date.parse(from)) / 86_400_000));

/**
 * A sentence of the hub's (a timeline's detail) with each organisation's code replaced by its name, where `names`
 * knows it; a code already in brackets after a name stays as it is.
 */
export const withNames = (text: string, names: ReadonlyMap<string, string>) =>
  text.replace(/(\(?)\b([A-Z][A-Z0-9]{2,9})\b/g, (whole, bracket: string, code: string) =>
    bracket ? whole : (names.get(code) ?? whole),
  );
