import type { MessageRecord, TimelineEvent } from '../../../core/api/responses';
import { useOrganisationNames } from '../hooks';
import { outcomeWords, when, withNames } from '../words';
import { Table } from './Table';

/** The moments of a referral its team and practice care about, in their words (the rest is ops' timeline). */
const MOMENTS: Record<string, string> = {
  received: 'Sent by the practice',
  'in-mailbox': 'Arrived in the inbox',
  delivered: 'Delivered',
  fetched: 'Opened',
  forwarded: 'Passed on',
  replayed: 'Sent again',
  updated: 'Updated by the practice',
  cancelled: 'Cancelled by the practice',
  withdrawn: 'Withdrawn',
  overdue: 'Overdue',
  'not-responded': 'Not answered in time',
};

interface Moment {
  at: string;
  what: string;
  who: string;
  details: string;
}

/**
 * A referral's history, oldest first: each answer (what, why, the team's note, who, when), each opening, passing on,
 * withdrawal and missed deadline. `nameOf` turns an organisation's code into its name where the page knows it.
 */
export function History({ message, nameOf }: { message: MessageRecord; nameOf: (ods: string) => string }) {
  const names = useOrganisationNames();
  const answers = message.answers ?? [];
  const fromTimeline = message.timeline
    // With the answers recorded, each is told once, with its note, from them.
    .filter((e) => MOMENTS[e.type] && !(answers.length && (e.type === 'responded' || e.type === 'task-updated')))
    .map(
      (e): Moment => ({
        at: e.at,
        what: MOMENTS[e.type]!,
        who: whoOf(e, nameOf),
        details: withNames(detailsOf(e), names),
      }),
    );
  const fromAnswers = answers.map(
    (a): Moment => ({
      at: a.at,
      what: a.outcome ? outcomeWords(a.outcome) : `Care home request ${a.taskStatus ?? 'updated'}`,
      who: nameOf(a.by),
      details: [a.reason, a.note && `“${a.note}”`].filter(Boolean).join(' — '),
    }),
  );
  const moments = [...fromTimeline, ...fromAnswers].sort((a, b) => a.at.localeCompare(b.at));
  return (
    <Table
      caption="The referral's history, oldest first"
      headings={['When', 'What', 'Who', 'Details']}
      rows={moments.map((m, i) => ({ key: `${m.at}-${i}`, cells: [when(m.at), m.what, m.who, m.details] }))}
    />
  );
}

/** The timeline names who acted as "by ODS (client or person)": the organisation's name, where known. */
function whoOf(event: TimelineEvent, nameOf: (ods: string) => string): string {
  const by = event.detail?.match(/\bby ([A-Z0-9]{3,10})\b/)?.[1];
  return by ? nameOf(by) : '';
}

/** What the timeline says beyond who acted (never patient data: the hub keeps that off the timeline). */
function detailsOf(event: TimelineEvent): string {
  if (['fetched', 'received', 'in-mailbox', 'delivered'].includes(event.type)) return '';
  return (event.detail ?? '').replace(/^(passed on |withdrawn |replay \d+ )?by [A-Z0-9]{3,10}( \([^)]*\))?:? ?/, '');
}
