import { useMailbox } from '../hooks';
import { eventWords, when } from '../words';
import { Problem } from './Problem';

/** What is waiting for the signed-in team: referrals and care home requests not yet collected. */
export function InboxPage() {
  const { data, error, loading } = useMailbox();
  return (
    <>
      <h1>Inbox</h1>
      {error && <Problem error={error} />}
      {loading && <p className="nhsuk-body">Loading…</p>}
      {data && data.messages.length === 0 && <p className="nhsuk-body">Nothing is waiting for your team.</p>}
      {data && data.messages.length > 0 && (
        <table className="nhsuk-table">
          <caption className="nhsuk-table__caption nhsuk-u-visually-hidden">Waiting, oldest first</caption>
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
            </tr>
          </thead>
          <tbody className="nhsuk-table__body">
            {data.messages.map((m) => (
              <tr className="nhsuk-table__row" key={m.messageId}>
                <td className="nhsuk-table__cell">{when(m.receivedAt)}</td>
                <td className="nhsuk-table__cell">{eventWords(m.event)}</td>
                <td className="nhsuk-table__cell">{m.from}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
