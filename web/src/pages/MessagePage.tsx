import { useState } from 'react';
import type { ApiError } from '../api';
import { replay, useMessage } from '../hooks';
import type { Session } from '../types';
import { eventWords, outcomeWords, statusWords, when } from '../words';
import { Problem } from './Problem';
import { Table } from './Table';

/** One message: where it came from and went, where it is, everything that happened to it; ops may send it again. */
export function MessagePage({ id, session }: { id: string; session: Session }) {
  const { data: message, error, reload } = useMessage(id);
  const [replayed, setReplayed] = useState<'sent' | ApiError | undefined>();
  if (error) return <Problem error={error} />;
  if (!message) return <p className="nhsuk-body">Loading…</p>;
  const sendAgain = () =>
    replay(id).then(
      () => {
        setReplayed('sent');
        reload();
      },
      (failure: ApiError) => setReplayed(failure),
    );
  const row = (key: string, value: string) => (
    <div className="nhsuk-summary-list__row">
      <dt className="nhsuk-summary-list__key">{key}</dt>
      <dd className="nhsuk-summary-list__value">{value}</dd>
    </div>
  );
  return (
    <>
      <h1>{eventWords(message.event)}</h1>
      {replayed === 'sent' && (
        <div className="nhsuk-inset-text">
          <span className="nhsuk-u-visually-hidden">Information: </span>
          <p>Sent again. The referring practice has been told.</p>
        </div>
      )}
      {replayed && replayed !== 'sent' && <Problem error={replayed} />}
      <dl className="nhsuk-summary-list">
        {row('From', message.senderOrganisation)}
        {row(
          'To',
          `${message.destination.serviceName ?? message.destination.organisation} (${message.destination.organisationName ?? message.destination.organisation})`,
        )}
        {row('Status', statusWords(message.status))}
        {row('Answer', outcomeWords(message.outcome))}
        {row('Received', when(message.createdAt))}
        {row('Delivery attempts', String(message.attempts))}
      </dl>
      {session.roles.includes('ops') && message.status === 'failed' && (
        <button type="button" className="nhsuk-button" onClick={sendAgain}>
          Send again
        </button>
      )}
      <h2>What happened</h2>
      <Table
        caption="Timeline, oldest first"
        headings={['When', 'What', 'Details']}
        // A timeline only grows at its end: positions are stable keys.
        rows={message.timeline.map((event, i) => ({
          key: String(i),
          cells: [when(event.at), event.type.replaceAll('-', ' '), event.detail ?? ''],
        }))}
      />
    </>
  );
}
