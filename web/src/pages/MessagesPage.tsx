import { type ChangeEvent, type FormEvent, useState } from 'react';
import { useMessages } from '../hooks';
import { Link, navigate } from '../router';
import { eventWords, outcomeWords, STATUSES, statusWords, when } from '../words';
import { Problem } from './Problem';
import { Table } from './Table';

/** Messages, newest first, filtered by status and paged (ops see every organisation's). */
export function MessagesPage({ query, ops }: { query: URLSearchParams; ops: boolean }) {
  const status = query.get('status') ?? '';
  const patient = query.get('patient') ?? '';
  const inCase = query.get('case') ?? '';
  const [cursor, setCursor] = useState<string | undefined>();
  const { data, error, loading } = useMessages({ status, patient, case: inCase }, cursor);
  /** Goes to the listing a search form asks for (its one field's name is the query parameter). */
  const find = (parameter: 'patient' | 'case') => (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const value = String(new FormData(event.currentTarget).get(parameter) ?? '').trim();
    setCursor(undefined);
    navigate(value ? `/messages?${parameter}=${encodeURIComponent(value)}` : '/messages');
  };
  const choose = (event: ChangeEvent<HTMLSelectElement>) => {
    setCursor(undefined);
    navigate(event.target.value ? `/messages?status=${event.target.value}` : '/messages');
  };
  return (
    <>
      <h1>
        {inCase ? 'A case' : patient ? "A patient's messages" : status === 'failed' ? 'Failed messages' : 'Messages'}
      </h1>
      {ops && (
        <form onSubmit={find('patient')} className="nhsuk-form-group">
          <label className="nhsuk-label" htmlFor="patient">
            Find a patient's messages by NHS number
          </label>
          <input
            className="nhsuk-input nhsuk-input--width-10"
            id="patient"
            name="patient"
            inputMode="numeric"
            defaultValue={patient}
            autoComplete="off"
          />{' '}
          <button type="submit" className="nhsuk-button nhsuk-button--secondary">
            Find
          </button>
        </form>
      )}
      <form onSubmit={find('case')} className="nhsuk-form-group">
        <label className="nhsuk-label" htmlFor="case">
          Find a case by its correlation id
        </label>
        <input
          className="nhsuk-input nhsuk-input--width-30"
          id="case"
          name="case"
          defaultValue={inCase}
          autoComplete="off"
        />{' '}
        <button type="submit" className="nhsuk-button nhsuk-button--secondary">
          Find the case
        </button>
      </form>
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
