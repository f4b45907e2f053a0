import { useState } from 'react';
import type { Session } from '../../../core/api/responses';
import { useCase, useMessage, useOrganisationNames } from '../hooks';
import { eventWords, organisationName, outcomeWords, statusWords, when, withNames } from '../words';
import { History } from './History';
import { MessageActions } from './MessageActions';
import { DeliveryAttempts, MessageContent } from './MessageContent';
import { MessagesTable } from './MessagesTable';
import { Problem } from './Problem';
import { row } from './SummaryRow';
import { Table } from './Table';

/** One message: where it came from and went, where it is, everything that happened to it; ops may send it again. */
export function MessagePage({ id, session }: { id: string; session: Session }) {
  const { data: message, error, reload } = useMessage(id);
  const names = useOrganisationNames();
  const { data: inCase, reload: reloadCase } = useCase(message?.correlationId);
  const [done, setDone] = useState<string | undefined>();
  if (error) return <Problem error={error} />;
  if (!message) return <p className="nhsuk-body">Loading…</p>;
  const others = (inCase?.messages ?? []).filter((m) => m.messageId !== message.messageId);
  return (
    <>
      <h1>{eventWords(message.event)}</h1>
      {done && (
        <div className="nhsuk-inset-text">
          <span className="nhsuk-u-visually-hidden">Information: </span>
          <p>{done}</p>
        </div>
      )}
      <dl className="nhsuk-summary-list">
        {row('From', message.senderName ?? message.senderOrganisation)}
        {row(
          'To',
          `${message.destination.serviceName ?? message.destination.organisation} (${message.destination.organisationName ?? message.destination.organisation})`,
        )}
        {row('Status', statusWords(message.status))}
        {row('Answer', outcomeWords(message.outcome))}
        {row(message.outcome === 'completed' ? 'How it ended' : 'Why', message.outcomeReason)}
        {row('Their note', message.outcomeNote)}
        {row('Received', when(message.createdAt))}
        {row('Delivery attempts', String(message.attempts))}
      </dl>
      {session.roles.includes('ops') && (
        <MessageActions
          message={message}
          onDone={(said) => {
            setDone(said);
            reload();
            reloadCase();
          }}
        />
      )}
      {message.kind === 'request' && (
        <>
          <h2>History</h2>
          <History message={message} nameOf={organisationName(message)} />
        </>
      )}
      <DeliveryAttempts message={message} />
      {session.roles.includes('ops') && <MessageContent message={message} />}
      <h2>What happened</h2>
      <Table
        caption="Timeline, oldest first"
        headings={['When', 'What', 'Details']}
        // A timeline only grows at its end: positions are stable keys.
        rows={message.timeline.map((event, i) => ({
          key: String(i),
          cells: [when(event.at), event.type.replaceAll('-', ' '), withNames(event.detail ?? '', names)],
        }))}
      />
      {others.length > 0 && (
        <>
          <h2>Other messages about this referral</h2>
          <p className="nhsuk-body">Answers, updates and the hub's notices, oldest first.</p>
          <MessagesTable caption="The other messages of this case, oldest first" messages={others} time="received" />
        </>
      )}
    </>
  );
}
