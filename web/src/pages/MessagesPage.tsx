import { type ChangeEvent, useState } from 'react';
import { useMessages } from '../hooks';
import { Link, navigate } from '../router';
import { eventWords, outcomeWords, STATUSES, statusWords, when } from '../words';
import { Problem } from './Problem';
import { Table } from './Table';

/** Messages, newest first, filtered by status and paged (ops see every organisation's). */
export function MessagesPage({ query }: { query: URLSearchParams }) {
  const status = query.get('status') ?? '';
  const [cursor, setCursor] = useState<string | undefined>();
  const { data, error, loading } = useMessages(status, cursor);
  const choose = (event: ChangeEvent<HTMLSelectElement>) => {
    setCursor(undefined);
    navigate(event.target.value ? `/messages?status=${event.target.value}` : '/messages');
  };
  return (
    <>
      <h1>{status === 'failed' ? 'Failed messages' : 'Messages'}</h1>
      <div className="nhsuk-form-group">
        <label className="nhsuk-label" htmlFor="status">
          Show
        </label>
        <select className="nhsuk-select" id="status" value={status} onChange={choose}>
          <option value="">All messages</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {statusWords(s)}
            </option>
          ))}
        </select>
      </div>
      {error && <Problem error={error} />}
      {loading && <p className="nhsuk-body">Loading…</p>}
      {data && data.messages.length === 0 && <p className="nhsuk-body">There are no messages to show.</p>}
      {data && data.messages.length > 0 && (
        <Table
          caption="Messages, newest first"
          headings={['Received', 'What', 'From', 'To', 'Status', 'Answer']}
          rows={data.messages.map((m) => ({
            key: m.messageId,
            cells: [
              when(m.createdAt),
              <Link key="what" to={`/messages/${m.messageId}`}>
                {eventWords(m.event)}
              </Link>,
              m.senderOrganisation,
              m.destination.serviceName ?? m.destination.organisation,
              statusWords(m.status),
              outcomeWords(m.outcome),
            ],
          }))}
        />
      )}
      {data?.next && (
        <button type="button" className="nhsuk-button nhsuk-button--secondary" onClick={() => setCursor(data.next)}>
          Older messages
        </button>
      )}
    </>
  );
}
