import type { MessageRecord } from '../../../core/api/responses';
import { Link } from '../router';
import { eventWords, outcomeWords, statusWords, when } from '../words';
import { Table } from './Table';

/** Messages as ops and senders see them: when, what (linked to its page), from, to, where it is, the answer. */
export function MessagesTable(props: {
  caption: string;
  messages: MessageRecord[];
  time: 'received' | 'due';
  /** Rows with a tick box each, to act on several at once. */
  choose?: { chosen: ReadonlySet<string>; toggle: (messageId: string) => void };
  /** A column saying why each failed (from its timeline). */
  why?: boolean;
}) {
  const { choose } = props;
  const whyFailed = (m: MessageRecord) => m.timeline.findLast((e) => e.type === 'failed')?.detail ?? '';
  return (
    <Table
      caption={props.caption}
      headings={[
        ...(choose ? ['Choose'] : []),
        props.time === 'due' ? 'Was due' : 'Received',
        'What',
        'From',
        'To',
        'Status',
        'Answer or notice',
        ...(props.why ? ['Why it failed'] : []),
      ]}
      rows={props.messages.map((m) => ({
        key: m.messageId,
        cells: [
          ...(choose
            ? [
                <div className="nhsuk-checkboxes__item" key="choose">
                  <input
                    className="nhsuk-checkboxes__input"
                    id={`choose-${m.messageId}`}
                    type="checkbox"
                    checked={choose.chosen.has(m.messageId)}
                    onChange={() => choose.toggle(m.messageId)}
                  />
                  <label className="nhsuk-label nhsuk-checkboxes__label" htmlFor={`choose-${m.messageId}`}>
                    <span className="nhsuk-u-visually-hidden">
                      Choose the {eventWords(m.event).toLowerCase()} to{' '}
                      {m.destination.serviceName ?? m.destination.organisation} received {when(m.createdAt)}
                    </span>
                  </label>
                </div>,
              ]
            : []),
          props.time === 'due' ? (m.dueAt ? when(m.dueAt) : '') : when(m.createdAt),
          <Link key="what" to={`/messages/${m.messageId}`}>
            {m.kind === 'notification' ? 'Notice from the hub' : eventWords(m.event)}
          </Link>,
          m.senderName ?? m.senderOrganisation,
          m.destination.serviceName ?? m.destination.organisationName ?? m.destination.organisation,
          statusWords(m.status),
          m.kind === 'notification'
            ? (m.notice ?? '')
            : m.kind === 'request' || m.outcome
              ? outcomeWords(m.outcome)
              : '',
          ...(props.why ? [whyFailed(m)] : []),
        ],
      }))}
    />
  );
}

/** A one-field search: a label, the field (named as the query parameter it fills), and its button. */
export function SearchForm(props: {
  name: string;
  label: string;
  button: string;
  value: string;
  width: 10 | 30;
  numeric?: boolean;
  onFind: (value: string) => void;
}) {
  return (
    <form
      className="nhsuk-form-group"
      onSubmit={(event) => {
        event.preventDefault();
        props.onFind(String(new FormData(event.currentTarget).get(props.name) ?? '').trim());
      }}
    >
      <label className="nhsuk-label" htmlFor={props.name}>
        {props.label}
      </label>
      <input
        className={`nhsuk-input nhsuk-input--width-${props.width}`}
        id={props.name}
        name={props.name}
        defaultValue={props.value}
        autoComplete="off"
        {...(props.numeric ? { inputMode: 'numeric' as const } : {})}
      />{' '}
      <button type="submit" className="nhsuk-button nhsuk-button--secondary">
        {props.button}
      </button>
    </form>
  );
}
