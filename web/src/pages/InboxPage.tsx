import { useEffect, useState } from 'react';
import { useApi } from '../hooks';
import { Link } from '../router';
import type { MessageList, MessageRecord } from '../types';
import { eventWords, outcomeWords, when } from '../words';
import { Problem } from './Problem';
import { Table } from './Table';

/** How often the inbox looks for new referrals while it is open. */
const REFRESH_SECONDS = 15;

/**
 * Where a piece of work stands for the team: its answer so far (passed on, withdrawn... whether opened or not), else
 * new (not yet opened) or opened.
 */
function standing(message: MessageRecord): string {
  if (message.outcome) return outcomeWords(message.outcome);
  return message.status === 'in-mailbox' ? 'New' : 'Opened, not answered';
}

/**
 * Everything delivered to the signed-in team, newest first: new work first to the eye, overdue work marked, counts
 * per state, filtered by state and service; new referrals appear without reloading the page.
 */
export function InboxPage() {
  const { data, error, loading, reload } = useApi<MessageList>('/messages?box=received');
  const [filter, setFilter] = useState('');
  const [service, setService] = useState('');
  useEffect(() => {
    const timer = setInterval(reload, REFRESH_SECONDS * 1000);
    return () => clearInterval(timer);
  }, [reload]);
  const work = (data?.messages ?? []).filter((m) => m.kind === 'request');
  const counts = new Map<string, number>();
  for (const m of work) counts.set(standing(m), (counts.get(standing(m)) ?? 0) + 1);
  const services = [...new Set(work.map((m) => m.destination.serviceName ?? ''))].filter(Boolean);
  const shown = work.filter(
    (m) => (!filter || standing(m) === filter) && (!service || m.destination.serviceName === service),
  );
  return (
    <>
      <h1>Inbox</h1>
      {error && <Problem error={error} />}
      {loading && !data && <p className="nhsuk-body">Loading…</p>}
      {data && work.length === 0 && <p className="nhsuk-body">Nothing has been sent to your team yet.</p>}
      {work.length > 0 && (
        <>
          <ul className="nhsuk-list" aria-label="How many in each state">
            {[...counts].map(([state, count]) => (
              <li key={state}>
                <strong>{count}</strong> {state.toLowerCase()}
              </li>
            ))}
          </ul>
          <div className="nhsuk-form-group">
            <label className="nhsuk-label" htmlFor="filter">
              Show
            </label>
            <select className="nhsuk-select" id="filter" value={filter} onChange={(e) => setFilter(e.target.value)}>
              <option value="">Everything</option>
              {[...counts.keys()].map((state) => (
                <option key={state} value={state}>
                  {state}
                </option>
              ))}
            </select>
          </div>
          {services.length > 1 && (
            <div className="nhsuk-form-group">
              <label className="nhsuk-label" htmlFor="service-filter">
                Service
              </label>
              <select
                className="nhsuk-select"
                id="service-filter"
                value={service}
                onChange={(e) => setService(e.target.value)}
              >
                <option value="">Every service</option>
                {services.map((name) => (
                  <option key={name} value={name}>
                    {name}
                  </option>
                ))}
              </select>
            </div>
          )}
          <Table
            caption="Work sent to your team, newest first"
            headings={['Received', 'What', 'From', 'Service', 'Answer due', 'State']}
            rows={shown.map((m) => ({
              key: m.messageId,
              cells: [
                when(m.createdAt),
                <Link key="what" to={`/inbox/${m.messageId}`}>
                  {eventWords(m.event)}
                </Link>,
                m.senderName ?? m.senderOrganisation,
                m.destination.serviceName ?? '',
                <>
                  {m.urgency ? <strong className="nhsuk-tag nhsuk-tag--orange">Urgent</strong> : null}{' '}
                  {m.dueAt ? when(m.dueAt) : ''}
                </>,
                <>
                  {m.overdue ? <strong className="nhsuk-tag nhsuk-tag--red">Overdue</strong> : null} {standing(m)}
                </>,
              ],
            }))}
          />
        </>
      )}
    </>
  );
}
