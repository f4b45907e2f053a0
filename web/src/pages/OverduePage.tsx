import type { MessageList } from '../../../core/api/responses';
import { apiPath } from '../api';
import { useApi } from '../hooks';
import { MessagesTable } from './MessagesTable';
import { Problem } from './Problem';

/** Work past its deadline (care-home Tasks, unanswered referrals), most recently escalated first: whom to chase. */
export function OverduePage() {
  const { data, error, loading } = useApi<MessageList>(apiPath('GET /messages', { overdue: true }));
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
        <MessagesTable caption="Overdue work, most recently escalated first" messages={data.messages} time="due" />
      )}
    </>
  );
}
