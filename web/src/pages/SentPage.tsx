import type { MessageList, MessageRecord } from '../../../core/api/responses';
import { apiPath } from '../api';
import { useApi } from '../hooks';
import { Link } from '../router';
import { daysBetween, nhsNumberWords, when } from '../words';
import { Pager, usePages } from './Pager';
import { Problem } from './Problem';
import type { Column } from './SortableTable';
import { Worklist } from './Worklist';

/** Referrals a page of the list shows. */
const SENT_PAGE = 50;

/** Where a referral the practice sent stands, in the practice's words: what it may need to do comes first. */
export function sentStanding(m: MessageRecord): string {
  if (m.status === 'failed') return 'Could not be delivered';
  switch (m.outcome) {
    case 'rejected':
      return 'Rejected: needs your action';
    case 'accepted':
    case 'in-progress':
      return 'Accepted';
    case 'completed':
      return 'Completed';
    case 'forwarded':
      return 'Passed on';
    case 'cancelled':
      return 'Cancelled';
    case 'withdrawn':
      return 'Withdrawn';
    default:
      return m.status === 'withdrawn' ? 'Withdrawn' : 'Waiting for an answer';
  }
}

/** What the practice should know about where it stands: why, what became of it, what the hub did. */
function whatToKnow(m: MessageRecord): string {
  if (m.status === 'failed') {
    const why = m.timeline.findLast((e) => e.type === 'failed')?.detail;
    return `The hub could not deliver it${why ? ` (${why})` : ''}. The hub's team has been told and can send it again.`;
  }
  if (m.outcome === 'forwarded') {
    const passed = m.timeline.findLast((e) => e.type === 'forwarded')?.detail ?? '';
    return passed.replace(/^passed on by [^ ]+( \([^)]*\))? /, 'Passed on ');
  }
  return [m.outcomeReason, m.outcomeNote && `“${m.outcomeNote}”`].filter(Boolean).join(' — ');
}

const COLUMNS: Column<MessageRecord>[] = [
  {
    heading: 'Patient',
    cell: (m) => (
      <>
        <Link to={`/messages/${m.messageId}`}>{m.patient?.name ?? `Referral sent ${when(m.createdAt)}`}</Link>
        {m.patient?.nhsNumber && <span className="hub-secondary">{nhsNumberWords(m.patient.nhsNumber)}</span>}
      </>
    ),
    sortBy: (m) => m.patient?.name ?? '',
  },
  {
    heading: 'Sent to',
    cell: (m) => m.destination.serviceName ?? m.destination.organisationName ?? m.destination.organisation,
    sortBy: (m) => m.destination.serviceName ?? m.destination.organisation,
  },
  {
    heading: 'Sent',
    cell: (m) => (
      <>
        {when(m.createdAt)}
        <span className="hub-secondary">
          {m.outcome ? '' : `${daysBetween(m.createdAt, new Date())} days without an answer`}
        </span>
      </>
    ),
    sortBy: (m) => m.createdAt,
  },
  {
    heading: 'Where it stands',
    cell: (m) => {
      const standing = sentStanding(m);
      const tag = standing.startsWith('Rejected') || standing.startsWith('Could not') ? 'red' : undefined;
      return tag ? <strong className={`nhsuk-tag nhsuk-tag--${tag}`}>{standing}</strong> : standing;
    },
    sortBy: sentStanding,
  },
  { heading: 'What to know', cell: whatToKnow },
];

/**
 * A practice's worklist of what it sent: where each referral stands (waiting, accepted, rejected with the reason and
 * the team's note, passed on and why, completed and how, failed and what the hub did), filtered by state and service.
 */
export function SentPage() {
  const pages = usePages();
  const { cursor } = pages;
  const { data, error, loading } = useApi<MessageList>(apiPath('GET /messages', { _count: SENT_PAGE, cursor }));
  const sent = (data?.messages ?? []).filter((m) => m.kind === 'request');
  return (
    <>
      <h1>Referrals you sent</h1>
      {error && <Problem error={error} />}
      {loading && !data && <p className="nhsuk-body">Loading…</p>}
      {data && sent.length === 0 && <p className="nhsuk-body">Your practice has not sent a referral yet.</p>}
      {sent.length > 0 && (
        <Worklist caption="Referrals you sent, newest first" work={sent} standing={sentStanding} columns={COLUMNS} />
      )}
      <p className="nhsuk-body">
        <Link to="/messages">Every message</Link>: the answers and the hub's notices about your referrals too.
      </p>
      <Pager label="Pages of referrals you sent" pages={pages} next={data?.next} />
    </>
  );
}
