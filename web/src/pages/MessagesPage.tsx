import { type ChangeEvent, useState } from 'react';
import { useMessages } from '../hooks';
import { Link, navigate } from '../router';
import { eventWords, outcomeWords, STATUSES, statusWords, when } from '../words';
import { Problem } from './Problem';

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
        <table className="nhsuk-table">
          <caption className="nhsuk-table__caption nhsuk-u-visually-hidden">Messages, newest first</caption>
          <thead className="nhsuk-table__head">
            <tr className="nhsuk-table__row">
              <th className="nhsuk-table__header" scope="col">
                Received
              </th>
              <th className="nhsuk-table__header" scope="col">
                What
              </th>
              <th className="nhsuk-table__header" scope="col">
                From
              </th>
              <th className="nhsuk-table__header" scope="col">
                To
              </th>
              <th className="nhsuk-table__header" scope="col">
                Status
              </th>
              <th className="nhsuk-table__header" scope="col">
                Answer
              </th>
            </tr>
          </thead>
          <tbody className="nhsuk-table__body">
            {data.messages.map((m) => (
              <tr className="nhsuk-table__row" key={m.messageId}>
                <td className="nhsuk-table__cell">{when(m.createdAt)}</td>
                <td className="nhsuk-table__cell">
                  <Link to={`/messages/${m.messageId}`}>{eventWords(m.event)}</Link>
                </td>
                <td className="nhsuk-table__cell">{m.senderOrganisation}</td>
                <td className="nhsuk-table__cell">{m.destination.serviceName ?? m.destination.organisation}</td>
                <td className="nhsuk-table__cell">{statusWords(m.status)}</td>
                <td className="nhsuk-table__cell">{outcomeWords(m.outcome)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {data?.next && (
        <button type="button" className="nhsuk-button nhsuk-button--secondary" onClick={() => setCursor(data.next)}>
          Older messages
        </button>
      )}
    </>
  );
}
