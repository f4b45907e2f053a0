import { useState } from 'react';
import { type ApiError, api } from '../api';
import { useApi } from '../hooks';
import { Problem } from './Problem';
import { Table } from './Table';

interface Service {
  id: string;
  name: string;
  active?: boolean;
  availabilityExceptions?: string;
}

const PAUSED = 'Paused by the hub operations team';

/**
 * Every receiving service and whether it takes work; ops pause one in trouble (its deliveries wait instead of
 * spending retries, its new referrals go to its fallback) and resume it (what waited is sent at once).
 */
export function ReceiversPage() {
  const { data, error, reload } = useApi<{ entry?: { resource: Service }[] }>('/HealthcareService');
  const [failure, setFailure] = useState<ApiError | undefined>();
  const services = (data?.entry ?? []).map((e) => e.resource);
  const set = (service: Service, paused: boolean) =>
    api(`/HealthcareService/${encodeURIComponent(service.id)}/$availability`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ acceptingReferrals: true, deliveriesPaused: paused }),
    }).then(
      () => {
        setFailure(undefined);
        reload();
      },
      (thrown: ApiError) => setFailure(thrown),
    );
  return (
    <>
      <h1>Receivers</h1>
      {error && <Problem error={error} />}
      {failure && <Problem error={failure} />}
      <Table
        caption="Receiving services and whether they take work"
        headings={['Service', 'State', 'Action']}
        rows={services.map((service) => {
          const paused = service.availabilityExceptions?.startsWith(PAUSED) ?? false;
          return {
            key: service.id,
            cells: [
              service.name,
              service.availabilityExceptions ?? 'Taking work',
              <button
                key="action"
                type="button"
                className="nhsuk-button nhsuk-button--secondary nhsuk-u-margin-bottom-0"
                onClick={() => set(service, !paused)}
              >
                {paused ? 'Resume' : 'Pause'} <span className="nhsuk-u-visually-hidden">{service.name}</span>
              </button>,
            ],
          };
        })}
      />
    </>
  );
}
