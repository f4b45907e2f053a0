import { useApi } from '../hooks';
import { Link } from '../router';
import type { MessageList } from '../types';
import { eventWords, outcomeWords, statusWords, when } from '../words';
import { Problem } from './Problem';
import { Table } from './Table';

/** Work past its deadline (care-home Tasks, unanswered referrals), most recently escalated first: whom to chase. */
export function OverduePage() {
  const { data, error, loading } = useApi<MessageList>('/messages?overdue=true');
  return (
    <>
      <h1>Overdue</h1>
      <p className="nhsuk-body">
        Care home requests past their deadline and referrals not answered in time. The sender has been told; these are
        the receivers to contact.
      </p>
      {error && <Problem error={error} />}
      {loading && !data && <p className="nhsuk-body">Loading…</p>}
      {data && data.messages.length === 0 && <p className="nhsuk-body">Nothing is overdue.</p>}
      {data && data.messages.length > 0 && (
        <Table
          caption="Overdue work, most recently escalated first"
          headings={['Was due', 'What', 'From', 'With', 'Status', 'Answer']}
          rows={data.messages.map((m) => ({
            key: m.messageId,
            cells: [
              m.dueAt ? when(m.dueAt) : '',
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
    </>
  );
}
