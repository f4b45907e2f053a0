import { type FormEvent, useState } from 'react';
import type { MessageRecord, Session } from '../../../core/api/responses';
import { type AnswerAction, answerMessage, type Coded, OUTCOMES, REJECTION_REASONS, sendAnswer } from '../answers';
import { ApiError, api, apiPath } from '../api';
import { useApi, useMessage } from '../hooks';
import { readReferral } from '../referral';
import { Link } from '../router';
import { day, nhsNumberWords, organisationName, outcomeWords, when } from '../words';
import { History } from './History';
import { PassOn } from './PassOn';
import { Problem } from './Problem';
import { row } from './SummaryRow';

/** What the team may do next, from the referral's answer so far (the hub's outcome lifecycle decides in the end). */
const NEXT: Record<string, AnswerAction[]> = {
  none: ['accepted', 'rejected'],
  accepted: ['in-progress', 'completed', 'cancelled'],
  'in-progress': ['completed', 'cancelled'],
};

const ACTION_WORDS: Record<AnswerAction, { button: string; done: string }> = {
  accepted: { button: 'Accept', done: 'Referral accepted.' },
  rejected: { button: 'Reject', done: 'Referral rejected.' },
  'in-progress': { button: 'Start', done: 'Work started.' },
  completed: { button: 'Complete', done: 'Referral completed.' },
  cancelled: { button: 'Cancel', done: 'Referral cancelled.' },
};

function Choices(props: { name: string; legend: string; options: readonly Coded[] }) {
  return (
    <fieldset className="nhsuk-fieldset">
      <legend className="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">{props.legend}</legend>
      <div className="nhsuk-radios">
        {props.options.map((o) => (
          <div className="nhsuk-radios__item" key={o.code}>
            <input
              className="nhsuk-radios__input"
              id={`${props.name}-${o.code}`}
              name={props.name}
              type="radio"
              value={o.code}
              required
            />
            <label className="nhsuk-label nhsuk-radios__label" htmlFor={`${props.name}-${o.code}`}>
              {o.display}
            </label>
          </div>
        ))}
      </div>
    </fieldset>
  );
}

/**
 * A referral in the team's inbox: the patient and what is asked, and the team's answer. Opening it reads the
 * patient's details, which the hub records on the referral's timeline (who, when) each time.
 */
export function ReferralPage({ id, session }: { id: string; session: Session }) {
  const { data: message, error: unreadable, reload } = useMessage(id);
  const withdrawn = message?.outcome === 'withdrawn';
  // A withdrawn referral's content is no longer the team's to read: its page says who withdrew it, when and why.
  const { data: bundle, error } = useApi<Record<string, unknown>>(
    message && !withdrawn ? apiPath('GET /mailbox/{id}', { id }) : undefined,
  );
  const [chosen, setChosen] = useState<AnswerAction | 'pass-on' | undefined>();
  const [done, setDone] = useState<string | undefined>();
  const [failure, setFailure] = useState<ApiError | undefined>();
  if (unreadable ?? error) return <Problem error={(unreadable ?? error)!} />;
  if (message && withdrawn) return <Withdrawn message={message} />;
  if (!bundle || !message) return <p className="nhsuk-body">Loading…</p>;
  const referral = readReferral(bundle);
  const next = NEXT[message.outcome ?? 'none'] ?? [];

  const answer = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!chosen || chosen === 'pass-on') return;
    const form = new FormData(event.currentTarget);
    const pick = (options: readonly Coded[], name: string) => options.find((o) => o.code === form.get(name));
    try {
      await sendAnswer(
        message.correlationId,
        answerMessage({
          receiverOds: session.organisation,
          originalMessageId: id,
          action: chosen,
          ...(chosen === 'rejected' ? { reason: pick(REJECTION_REASONS, 'reason') } : {}),
          ...(chosen === 'completed' ? { outcome: pick(OUTCOMES, 'outcome') } : {}),
          note: String(form.get('note') ?? ''),
        }),
      );
      // Answered: it has been dealt with, so it leaves the waiting list.
      if (message.status === 'in-mailbox')
        await api(apiPath('POST /mailbox/{id}/$acknowledge', { id }), { method: 'POST' });
      setDone(`${ACTION_WORDS[chosen].done} ${referral.practice} has been told.`);
      setChosen(undefined);
      setFailure(undefined);
      reload();
    } catch (thrown) {
      setFailure(thrown instanceof ApiError ? thrown : new ApiError(0, 'The answer could not be sent'));
      reload(); // show where it stands now
    }
  };

  return (
    <>
      <Link to="/inbox" className="nhsuk-back-link">
        Back to the inbox
      </Link>
      <h1>Referral for {referral.patient.name}</h1>
      {done && (
        <div className="nhsuk-inset-text" role="status">
          <p>{done}</p>
        </div>
      )}
      {failure && <Problem error={failure} />}
      <h2>Patient</h2>
      <dl className="nhsuk-summary-list">
        {row('Name', referral.patient.name)}
        {row('NHS number', referral.patient.nhsNumber && nhsNumberWords(referral.patient.nhsNumber))}
        {row('Date of birth', referral.patient.birthDate && day(referral.patient.birthDate))}
        {row('Contact', referral.patient.contact.join('; '))}
      </dl>
      <h2>The referral</h2>
      <dl className="nhsuk-summary-list">
        {row('Service asked for', referral.service)}
        {row('Urgency', referral.priority === 'routine' ? 'Routine' : referral.priority)}
        {row('Reason', referral.reason.join('; '))}
        {row('Notes', referral.notes.join(' '))}
        {row('Referred by', [referral.practice, referral.clinician].filter(Boolean).join(', '))}
        {row('Received', when(message.createdAt))}
        {row('Attachments', referral.attachments.join('; ') || 'None')}
        {row('Answer so far', outcomeWords(message.outcome))}
        {row(message.outcome === 'completed' ? 'How it ended' : 'Why', message.outcomeReason)}
        {row('Your note', message.outcomeNote)}
      </dl>
      <h2>History</h2>
      <History message={message} nameOf={organisationName({ ...message, senderName: referral.practice })} />
      {next.length > 0 && (
        <form onSubmit={answer} noValidate={false}>
          <h2>Your answer</h2>
          <div className="nhsuk-button-group">
            {next.map((action) => (
              <button
                key={action}
                type="button"
                className={`nhsuk-button${action === 'accepted' || action === 'completed' ? '' : ' nhsuk-button--secondary'}`}
                aria-pressed={chosen === action}
                onClick={() => setChosen(action)}
              >
                {ACTION_WORDS[action].button}
              </button>
            ))}
            {!message.outcome && (
              <button
                type="button"
                className="nhsuk-button nhsuk-button--secondary"
                aria-pressed={chosen === 'pass-on'}
                onClick={() => setChosen('pass-on')}
              >
                Pass on to another service
              </button>
            )}
          </div>
          {chosen && chosen !== 'pass-on' && (
            <>
              {chosen === 'rejected' && (
                <Choices name="reason" legend="Why can you not take it?" options={REJECTION_REASONS} />
              )}
              {chosen === 'completed' && <Choices name="outcome" legend="How did it end?" options={OUTCOMES} />}
              <div className="nhsuk-form-group">
                <label className="nhsuk-label" htmlFor="note">
                  A note for the practice (optional)
                </label>
                <textarea className="nhsuk-textarea" id="note" name="note" rows={3} />
              </div>
              <button type="submit" className="nhsuk-button">
                Send: {ACTION_WORDS[chosen].button.toLowerCase()}
              </button>
            </>
          )}
        </form>
      )}
      {chosen === 'pass-on' && (
        <PassOn
          message={message}
          onDone={(where) => {
            setDone(`Passed on to ${where}. ${referral.practice} has been told.`);
            setChosen(undefined);
            reload();
          }}
        />
      )}
    </>
  );
}

/** A referral withdrawn after it reached the team: who withdrew it, when and why, and nothing left to do. */
function Withdrawn({ message }: { message: MessageRecord }) {
  const event = message.timeline.findLast((e) => e.type === 'withdrawn');
  return (
    <>
      <Link to="/inbox" className="nhsuk-back-link">
        Back to the inbox
      </Link>
      <h1>Referral withdrawn</h1>
      <div className="nhsuk-warning-callout">
        <h2 className="nhsuk-warning-callout__label">
          <span className="nhsuk-u-visually-hidden">Important: </span>
          Nothing more to do
        </h2>
        <p>This referral was withdrawn after it reached your team. Do not act on it.</p>
      </div>
      <dl className="nhsuk-summary-list">
        {row('Withdrawn', event && when(event.at))}
        {row('By and why', event?.detail?.replace(/^withdrawn by /, ''))}
        {row('Received', when(message.createdAt))}
      </dl>
    </>
  );
}
