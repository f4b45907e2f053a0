import { type FormEvent, useState } from 'react';
import { ApiError, api } from '../api';
import { useApi } from '../hooks';
import type { Session } from '../types';
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
  const [saved, setSaved] = useState(false);
  const [failure, setFailure] = useState<ApiError | undefined>();
  const save = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const returnDate = dateOf(form, field('return'));
    const capacity = String(form.get('weeklyCapacity') ?? '');
    try {
      await api(`/HealthcareService/${encodeURIComponent(service.id)}/$availability`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          acceptingReferrals: accepting,
          ...(!accepting && returnDate ? { returnDate } : {}),
          ...(capacity ? { weeklyCapacity: Number(capacity) } : {}),
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
    `/HealthcareService?organization=${encodeURIComponent(session.organisation)}`,
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
