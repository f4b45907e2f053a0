import { useState } from 'react';
import type { MessageRecord } from '../../../core/api/responses';
import type { ApiError } from '../api';
import { alternativesFor, patientOf, replay, resend, useServices, withdraw } from '../hooks';
import { type PatientView, readPatient } from '../referral';
import { day, nhsNumberWords } from '../words';
import { Problem } from './Problem';
import { ServiceSelect } from './ServiceSelect';
import { row } from './SummaryRow';

/** A correction that needs a reason: the reason is kept on the message's timeline and told to those concerned. */
function ReasonForm(props: {
  id: string;
  legend: string;
  hint: string;
  button: string;
  warning?: boolean;
  onSubmit: (reason: string) => Promise<unknown>;
}) {
  const [missing, setMissing] = useState(false);
  return (
    <form
      className="nhsuk-u-margin-bottom-6"
      onSubmit={(event) => {
        event.preventDefault();
        const reason = String(new FormData(event.currentTarget).get('reason') ?? '').trim();
        setMissing(!reason);
        if (reason) void props.onSubmit(reason);
      }}
    >
      <div className={`nhsuk-form-group${missing ? ' nhsuk-form-group--error' : ''}`}>
        <label className="nhsuk-label nhsuk-label--s" htmlFor={props.id}>
          {props.legend}
        </label>
        <div className="nhsuk-hint" id={`${props.id}-hint`}>
          {props.hint}
        </div>
        {missing && (
          <span className="nhsuk-error-message" id={`${props.id}-error`}>
            <span className="nhsuk-u-visually-hidden">Error:</span> Say why
          </span>
        )}
        <textarea
          className={`nhsuk-textarea${missing ? ' nhsuk-textarea--error' : ''}`}
          id={props.id}
          name="reason"
          rows={2}
          aria-describedby={`${props.id}-hint${missing ? ` ${props.id}-error` : ''}`}
        />
      </div>
      <button
        type="submit"
        className={`nhsuk-button${props.warning ? ' nhsuk-button--warning' : ' nhsuk-button--secondary'}`}
      >
        {props.button}
      </button>
    </form>
  );
}

/**
 * What ops can do to one message: send a failed one again (to its service or another), send again one a receiver
 * lost, withdraw one sent in error, and see the patient it is about (each showing recorded).
 */
export function MessageActions({ message, onDone }: { message: MessageRecord; onDone: (said: string) => void }) {
  const [failure, setFailure] = useState<ApiError | undefined>();
  const [patient, setPatient] = useState<PatientView | undefined>();
  const services = useServices(message.status === 'failed');
  const act = (request: Promise<unknown>, said: string) =>
    request.then(
      () => {
        setFailure(undefined);
        onDone(said);
      },
      (thrown: ApiError) => setFailure(thrown),
    );
  const id = message.messageId;
  const open =
    message.kind === 'request' && !message.outcome?.match(/completed|rejected|cancelled|failed|forwarded|withdrawn/);
  return (
    <>
      {failure && <Problem error={failure} />}
      {message.status === 'failed' && (
        <form
          className="nhsuk-u-margin-bottom-6"
          onSubmit={(event) => {
            event.preventDefault();
            const service = String(new FormData(event.currentTarget).get('service') ?? '');
            void act(replay(id, service || undefined), 'Sent again. The referring practice has been told.');
          }}
        >
          <ServiceSelect
            id="replay-to"
            name="service"
            label="Send it again to"
            first={`${message.destination.serviceName ?? 'The same service'} (as before)`}
            services={alternativesFor(services, message.route?.networkId, message.destination.serviceId)}
            strong
          />
          <button type="submit" className="nhsuk-button">
            Send again
          </button>
        </form>
      )}
      {(message.status === 'delivered' || message.status === 'acknowledged') && (
        <ReasonForm
          id="resend-reason"
          legend="Send it again because the receiver lost it"
          hint="Why is it being sent again? This is kept on the message's record."
          button="Send it again"
          onSubmit={(reason) => act(resend(id, reason), 'Sent again to the same receiver.')}
        />
      )}
      {open && message.status !== 'withdrawn' && (
        <ReasonForm
          id="withdraw-reason"
          legend="Withdraw it"
          hint="For a message sent in error. The practice and the receiving team are told the reason."
          button="Withdraw"
          warning
          onSubmit={(reason) =>
            act(withdraw(id, reason), 'Withdrawn. The practice and the receiving team have been told.')
          }
        />
      )}
      {patient ? (
        <>
          <h2>The patient</h2>
          <dl className="nhsuk-summary-list">
            {[
              ['Name', patient.name],
              ['NHS number', patient.nhsNumber ? nhsNumberWords(patient.nhsNumber) : 'Not given'],
              ['Date of birth', patient.birthDate ? day(patient.birthDate) : 'Not given'],
            ].map(([key, value]) => row(key!, value))}
          </dl>
        </>
      ) : (
        <p className="nhsuk-body">
          <button
            type="button"
            className="nhsuk-button nhsuk-button--secondary"
            onClick={() =>
              patientOf(id).then(
                (resource) => setPatient(readPatient(resource)),
                (thrown: ApiError) => setFailure(thrown),
              )
            }
          >
            Show the patient's details
          </button>
          <br />
          <span className="nhsuk-body-s">Who looked, and when, is kept on the message's record.</span>
        </p>
      )}
    </>
  );
}
