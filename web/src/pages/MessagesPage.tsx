import { type ChangeEvent, useState } from 'react';
import { useMessages } from '../hooks';
import { navigate } from '../router';
import { STATUSES, statusWords } from '../words';
import { BulkReplay } from './BulkReplay';
import { FILTERS, type Filters, MessageFilters } from './MessageFilters';
import { MessagesTable, SearchForm } from './MessagesTable';
import { Problem } from './Problem';

/** Messages, newest first, filtered by status and paged (ops see every organisation's). */
export function MessagesPage({ query, ops }: { query: URLSearchParams; ops: boolean }) {
  const status = query.get('status') ?? '';
  // Held by the page, never put in its address: an NHS number in a URL reaches the logs of CloudFront and proxies.
  const [patient, setPatient] = useState('');
  const inCase = query.get('case') ?? '';
  const filters: Filters = Object.fromEntries(
    FILTERS.flatMap((name) => (query.get(name) ? [[name, query.get(name)!]] : [])),
  );
  const searching = FILTERS.some((name) => name !== 'status' && filters[name]);
  const [cursor, setCursor] = useState<string | undefined>();
  const { data, error, loading, reload } = useMessages(
    patient ? { patient } : searching ? filters : { status, case: inCase },
    cursor,
  );
  const search = (chosen: Filters) => {
    setCursor(undefined);
    setPatient('');
    const params = new URLSearchParams(chosen as Record<string, string>);
    navigate(params.size ? `/messages?${params}` : '/messages');
  };
  /** Goes to the case a search asks for. */
  const findCase = (value: string) => {
    setCursor(undefined);
    setPatient('');
    navigate(value ? `/messages?case=${encodeURIComponent(value)}` : '/messages');
  };
  /** Shows a patient's messages: the NHS number stays in the page. */
  const findPatient = (value: string) => {
    setCursor(undefined);
    setPatient(value);
    navigate('/messages');
  };
  const choose = (event: ChangeEvent<HTMLSelectElement>) => {
    setCursor(undefined);
    setPatient('');
    navigate(event.target.value ? `/messages?status=${event.target.value}` : '/messages');
  };
  return (
    <>
      <h1>
        {patient
          ? "A patient's messages"
          : inCase
            ? 'A case'
            : searching
              ? 'Search results'
              : status === 'failed'
                ? 'Failed messages'
                : 'Messages'}
      </h1>
      {ops && (
        <SearchForm
          name="patient"
          label="Find a patient's messages by NHS number"
          button="Find"
          value={patient}
          width={10}
          numeric
          onFind={findPatient}
        />
      )}
      <SearchForm
        name="message"
        label="Open a message by its id (the Bundle id)"
        button="Open"
        value=""
        width={30}
        onFind={(id) => id && navigate(`/messages/${encodeURIComponent(id)}`)}
      />
      <SearchForm
        name="case"
        label="Find a case by its correlation id"
        button="Find the case"
        value={inCase}
        width={30}
        onFind={findCase}
      />
      {ops && <MessageFilters value={filters} onSearch={search} />}
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
      {/* Failed messages stay on the sending-again form even once none is left: it says what became of each. */}
      {data && ops && status === 'failed' && !searching ? (
        <BulkReplay messages={data.messages} onDone={reload} />
      ) : (
        data &&
        data.messages.length > 0 && (
          <MessagesTable caption="Messages, newest first" messages={data.messages} time="received" />
        )
      )}
      {data?.next && (
        <button type="button" className="nhsuk-button nhsuk-button--secondary" onClick={() => setCursor(data.next)}>
          Older messages
        </button>
      )}
    </>
  );
}
