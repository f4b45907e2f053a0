import { type FormEvent, useEffect, useState } from 'react';
import type { MessageList, MessageRecord } from '../../../core/api/responses';
import { isValidNhsNumber } from '../../../core/fhir/nhs-number';
import { apiPath } from '../api';
import { useApi } from '../hooks';
import { Link } from '../router';
import { ageOn, daysBetween, nhsNumberWords, outcomeWords, when } from '../words';
import { Pager, usePages } from './Pager';
import { Problem } from './Problem';
import type { Column } from './SortableTable';
import { Worklist } from './Worklist';

/** How often the inbox looks for new referrals while it is open. */
const REFRESH_SECONDS = 15;
/** Referrals a page of the inbox shows. */
const INBOX_PAGE = 50;

/**
 * Where a piece of work stands for the team: its answer so far (passed on, withdrawn... whether opened or not), else
 * new (not yet opened) or opened.
 */
function standing(message: MessageRecord): string {
  if (message.outcome) return outcomeWords(message.outcome);
  return message.status === 'in-mailbox' ? 'New' : 'Opened, not answered';
}

const URGENCY_ORDER: Record<string, number> = { stat: 0, asap: 1, urgent: 2 };

/** How long a piece of work has waited, in words. */
function waited(m: MessageRecord, now: Date): string {
  const days = daysBetween(m.createdAt, now);
  return days === 0 ? 'today' : days === 1 ? '1 day waiting' : `${days} days waiting`;
}

/** The inbox's columns: enough to tell referrals apart at a glance, each sortable. */
function columns(now: Date): Column<MessageRecord>[] {
  return [
    {
      heading: 'Patient',
      cell: (m) => (
        <>
          <Link to={`/inbox/${m.messageId}`}>{m.patient?.name ?? `Referral received ${when(m.createdAt)}`}</Link>
          <span className="hub-secondary">
            {[
              m.patient?.nhsNumber && nhsNumberWords(m.patient.nhsNumber),
              m.patient?.birthDate && `${ageOn(m.patient.birthDate, now)} years`,
            ]
              .filter(Boolean)
              .join(', ')}
          </span>
        </>
      ),
      sortBy: (m) => m.patient?.name ?? '',
    },
    {
      heading: 'Referred by',
      cell: (m) => (
        <>
          {m.senderName ?? m.senderOrganisation}
          {m.referrer && <span className="hub-secondary">{m.referrer}</span>}
        </>
      ),
      sortBy: (m) => m.senderName ?? m.senderOrganisation,
    },
    {
      heading: 'Service',
      cell: (m) => m.destination.serviceName ?? '',
      sortBy: (m) => m.destination.serviceName ?? '',
    },
    {
      heading: 'Priority',
      cell: (m) => (m.urgency ? <strong className="nhsuk-tag nhsuk-tag--orange">Urgent</strong> : 'Routine'),
      sortBy: (m) => URGENCY_ORDER[m.urgency ?? ''] ?? 3,
    },
    {
      heading: 'Received',
      cell: (m) => (
        <>
          {when(m.createdAt)}
          <span className="hub-secondary">{waited(m, now)}</span>
        </>
      ),
      sortBy: (m) => m.createdAt,
    },
    {
      heading: 'Answer due',
      cell: (m) => (
        <>
          {m.overdue ? <strong className="nhsuk-tag nhsuk-tag--red">Overdue</strong> : null}{' '}
          {m.dueAt && !m.outcome ? when(m.dueAt) : ''}
        </>
      ),
      sortBy: (m) => m.dueAt ?? '9999',
    },
    { heading: 'State', cell: standing, sortBy: standing },
  ];
}

/**
 * The team's worklist: everything delivered to it, newest first, a page at a time; the patient, who referred, for
 * which service, how urgent, how long it has waited and when an answer is due; sorted by any column, filtered by state
 * and service, searched by name or NHS number. New referrals appear without reloading the page.
 */
export function InboxPage() {
  const pages = usePages();
  const { cursor } = pages;
  const [search, setSearch] = useState('');
  const nhsNumber = search.replace(/\s/g, '');
  const byNhsNumber = isValidNhsNumber(nhsNumber);
  const list = useApi<MessageList>(
    byNhsNumber ? undefined : apiPath('GET /messages', { box: 'received', _count: INBOX_PAGE, cursor }),
  );
  // A search by NHS number goes to the hub (its own referrals only), the number in the body, never in an address.
  const found = useApi<MessageList>(byNhsNumber ? apiPath('POST /messages/$search', {}) : undefined, {
    patient: nhsNumber,
  });
  const { data, error, loading, reload } = byNhsNumber ? found : list;
  useEffect(() => {
    const timer = setInterval(reload, REFRESH_SECONDS * 1000);
    return () => clearInterval(timer);
  }, [reload]);
  const now = new Date();
  const work = (data?.messages ?? []).filter((m) => m.kind === 'request');
  const named = search && !byNhsNumber ? search.toLowerCase() : '';
  // A name is found among the referrals of this page; an NHS number was asked of the hub.
  const matching = named ? work.filter((m) => (m.patient?.name ?? '').toLowerCase().includes(named)) : work;
  const find = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setSearch(String(new FormData(event.currentTarget).get('patient') ?? '').trim());
  };
  return (
    <>
      <h1>Inbox</h1>
      {error && <Problem error={error} />}
      {loading && !data && <p className="nhsuk-body">Loading…</p>}
      <form className="nhsuk-form-group" onSubmit={find}>
        <label className="nhsuk-label" htmlFor="patient">
          Find a patient
        </label>
        <div className="nhsuk-hint" id="patient-hint">
          Their name, or their NHS number (every referral of theirs sent to your team)
        </div>
        <input
          className="nhsuk-input nhsuk-input--width-20"
          id="patient"
          name="patient"
          defaultValue={search}
          autoComplete="off"
          aria-describedby="patient-hint"
        />{' '}
        <button type="submit" className="nhsuk-button nhsuk-button--secondary">
          Find
        </button>{' '}
        {search && (
          <button type="button" className="nhsuk-button nhsuk-button--secondary" onClick={() => setSearch('')}>
            Show everything
          </button>
        )}
      </form>
      {data && work.length === 0 && (
        <p className="nhsuk-body">
          {search
            ? 'No referral for that patient has been sent to your team.'
            : 'Nothing has been sent to your team yet.'}
        </p>
      )}
      {work.length > 0 && (
        <Worklist
          caption="Work sent to your team, newest first"
          work={matching}
          standing={standing}
          columns={columns(now)}
        />
      )}
      {!byNhsNumber && <Pager label="Pages of the inbox" pages={pages} next={data?.next} />}
    </>
  );
}
