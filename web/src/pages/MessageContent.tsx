import { useState } from 'react';
import type { MessageRecord } from '../../../core/api/responses';
import { apiPath } from '../api';
import { useApi } from '../hooks';
import { when } from '../words';
import { Problem } from './Problem';
import { Table } from './Table';

/** Each time the hub tried to deliver the message: when, how it went, and what the receiver answered. */
export function DeliveryAttempts({ message }: { message: MessageRecord }) {
  const attempts = message.timeline.filter((e) => e.type === 'delivery-attempt');
  if (attempts.length === 0) return null;
  const result: Record<string, string> = {
    success: 'Delivered',
    transient: 'Failed, tried again',
    permanent: 'Refused',
  };
  return (
    <>
      <h2>Delivery attempts</h2>
      <Table
        caption="Each delivery attempt, oldest first"
        headings={['When', 'How it went', 'What the receiver answered']}
        rows={attempts.map((attempt, i) => ({
          key: String(i),
          cells: [when(attempt.at), result[attempt.result ?? ''] ?? 'Failed', attempt.detail ?? ''],
        }))}
      />
    </>
  );
}

/**
 * The message as its sender sent it (the FHIR message and the headers the hub recorded), for ops, with the patient
 * reduced to an id: the patient is shown only when asked, and each showing recorded.
 */
export function MessageContent({ message }: { message: MessageRecord }) {
  const [asked, setAsked] = useState(false);
  const { data, error } = useApi<{ headers: Record<string, string>; bundle: unknown }>(
    asked ? apiPath('GET /messages/{id}/$content', { id: message.messageId }) : undefined,
  );
  return (
    <>
      <h2>The message as it was sent</h2>
      {!asked && (
        <button type="button" className="nhsuk-button nhsuk-button--secondary" onClick={() => setAsked(true)}>
          Show the message as it was sent
        </button>
      )}
      {error && <Problem error={error} />}
      {data && (
        <>
          <p className="nhsuk-body">The patient is hidden here: ask for them above to see them.</p>
          <dl className="nhsuk-summary-list">
            {Object.entries(data.headers).map(([name, value]) => (
              <div className="nhsuk-summary-list__row" key={name}>
                <dt className="nhsuk-summary-list__key">{name}</dt>
                <dd className="nhsuk-summary-list__value">{value}</dd>
              </div>
            ))}
          </dl>
          {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard */}
          <section className="hub-raw" tabIndex={0} aria-label="The message as it was sent">
            <pre>{JSON.stringify(data.bundle, null, 2)}</pre>
          </section>
        </>
      )}
    </>
  );
}
