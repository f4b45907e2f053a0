import { type FormEvent, useState } from 'react';
import type { Session } from '../../../core/api/responses';
import { ApiError, api, apiPath } from '../api';
import { useApi } from '../hooks';
import { Link } from '../router';
import { DateInput, dateOf } from './DateInput';
import { Problem } from './Problem';

interface Service {
  id: string;
  name: string;
  active?: boolean;
  availabilityExceptions?: string;
}

/** One service's intake: taking referrals or not (until when), and how many a week. */
function ServiceForm({ service, onSaved }: { service: Service; onSaved: () => void }) {
  const [accepting, setAccepting] = useState(service.active !== false);
  // What the team said before about its emails (its own say: other organisations never see it).
  const { data: said } = useApi<{ emails?: { to: string; urgent: boolean; digest: boolean } }>(
    apiPath('GET /HealthcareService/{id}/$availability', { id: service.id }),
  );
  const [saved, setSaved] = useState(false);
  const [failure, setFailure] = useState<ApiError | undefined>();
  const save = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const returnDate = dateOf(form, field('return'));
    const capacity = String(form.get('weeklyCapacity') ?? '');
    const mailbox = String(form.get('mailbox') ?? '').trim();
    try {
      await api(apiPath('POST /HealthcareService/{id}/$availability', { id: service.id }), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          acceptingReferrals: accepting,
          ...(!accepting && returnDate ? { returnDate } : {}),
          ...(capacity ? { weeklyCapacity: Number(capacity) } : {}),
          // No address: no emails.
          emails: mailbox
            ? { to: mailbox, urgent: form.get('urgent') === 'yes', digest: form.get('digest') === 'yes' }
            : null,
        }),
      });
      setSaved(true);
      setFailure(undefined);
      onSaved();
    } catch (thrown) {
      setFailure(thrown instanceof ApiError ? thrown : new ApiError(0, 'It could not be saved'));
    }
  };
  const field = (suffix: string) => `${service.id}-${suffix}`;
  return (
    <form onSubmit={save} className="nhsuk-card">
      <div className="nhsuk-card__content">
        <h2 className="nhsuk-card__heading">{service.name}</h2>
        <p className="nhsuk-body">{service.availabilityExceptions ?? 'Taking new referrals.'}</p>
        {saved && (
          <div className="nhsuk-inset-text" role="status">
            <p>Saved. Practices' new referrals follow it from now on.</p>
          </div>
        )}
        {failure && <Problem error={failure} />}
        <fieldset className="nhsuk-fieldset">
          <legend className="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">Are you taking new referrals?</legend>
          <div className="nhsuk-radios nhsuk-radios--inline">
            {[true, false].map((value) => (
              <div className="nhsuk-radios__item" key={String(value)}>
                <input
                  className="nhsuk-radios__input"
                  id={field(String(value))}
                  name="accepting"
                  type="radio"
                  checked={accepting === value}
                  onChange={() => setAccepting(value)}
                />
                <label className="nhsuk-label nhsuk-radios__label" htmlFor={field(String(value))}>
                  {value ? 'Yes' : 'No'}
                </label>
              </div>
            ))}
          </div>
        </fieldset>
        {!accepting && (
          <DateInput
            name={field('return')}
            legend="Taking referrals again from (optional)"
            hint="For example, 4 1 2027"
          />
        )}
        <div className="nhsuk-form-group">
          <label className="nhsuk-label" htmlFor={field('capacity')}>
            Referrals you can take each week (optional)
          </label>
          <input
            className="nhsuk-input nhsuk-input--width-4"
            id={field('capacity')}
            name="weeklyCapacity"
            type="number"
            min={0}
            inputMode="numeric"
          />
        </div>
        {said && <TeamEmailFields field={field} emails={said.emails} />}
        <button type="submit" className="nhsuk-button">
          Save
        </button>
      </div>
    </form>
  );
}

/**
 * The team's services and their intake. When a service is not taking referrals, or has taken its number this week,
 * practices' new referrals go to the service the network names as its fallback, and the practice is told.
 */
export function AvailabilityPage({ session }: { session: Session }) {
  const { data, error, reload } = useApi<{ entry?: { resource: Service }[] }>(
    apiPath('GET /HealthcareService', { organization: session.organisation }),
  );
  const services = (data?.entry ?? []).map((e) => e.resource);
  return (
    <>
      <h1>Your services</h1>
      <p className="nhsuk-body">
        When a service is not taking referrals, or is full for the week, new referrals go to the service your network
        names in its place, and the practice is told where they went.
      </p>
      {error && <Problem error={error} />}
      {data && services.length === 0 && <p className="nhsuk-body">Your organisation provides no service here.</p>}
      {services.map((service) => (
        <ServiceForm key={service.id} service={service} onSaved={reload} />
      ))}
    </>
  );
}

/** Where the team is told, and of what: its shared mailbox, urgent work as it arrives, and what waits each morning. */
function TeamEmailFields(props: {
  field: (suffix: string) => string;
  emails: { to: string; urgent: boolean; digest: boolean } | undefined;
}) {
  const { field, emails } = props;
  const box = (name: 'urgent' | 'digest', label: string) => (
    <div className="nhsuk-checkboxes__item">
      <input
        className="nhsuk-checkboxes__input"
        id={field(name)}
        name={name}
        type="checkbox"
        value="yes"
        defaultChecked={emails?.[name] ?? true}
      />
      <label className="nhsuk-label nhsuk-checkboxes__label" htmlFor={field(name)}>
        {label}
      </label>
    </div>
  );
  return (
    <fieldset className="nhsuk-fieldset nhsuk-form-group">
      <legend className="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">Emails to your team</legend>
      <div className="nhsuk-hint" id={field('emails-hint')}>
        They say how many and link to the inbox; they never say who a patient is. Leave the address empty for none.{' '}
        <Link to="/emails">The emails sent so far</Link>
      </div>
      <div className="nhsuk-form-group">
        <label className="nhsuk-label" htmlFor={field('mailbox')}>
          Your team's shared mailbox
        </label>
        <input
          className="nhsuk-input nhsuk-u-width-two-thirds"
          id={field('mailbox')}
          name="mailbox"
          type="email"
          autoComplete="email"
          spellCheck={false}
          defaultValue={emails?.to ?? ''}
          aria-describedby={field('emails-hint')}
        />
      </div>
      <div className="nhsuk-checkboxes">
        {box('urgent', 'Email when urgent work arrives')}
        {box('digest', 'Email each morning what waits for an answer')}
      </div>
    </fieldset>
  );
}
