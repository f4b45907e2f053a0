import { type FormEvent, useState } from 'react';
import type { MessageRecord } from '../../../core/api/responses';
import { ApiError, api, apiPath } from '../api';
import { alternativesFor, useServices } from '../hooks';
import { Problem } from './Problem';

/**
 * A referral that reached the wrong service, passed on to another service of the same network with a reason: the
 * hub sends it on and tells the practice where it went and why.
 */
export function PassOn({ message, onDone }: { message: MessageRecord; onDone: (where: string) => void }) {
  const [failure, setFailure] = useState<ApiError | undefined>();
  // The practice's network's services (taking new work), never one chosen for the team.
  const choices = alternativesFor(useServices(), message.route?.networkId, message.destination.serviceId).filter(
    (s) => s.active,
  );
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const service = String(form.get('service'));
    try {
      await api(apiPath('POST /messages/{id}/$forward', { id: message.messageId }), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ service, reason: String(form.get('reason') ?? '') }),
      });
      onDone(choices.find((s) => s.id === service)?.name ?? service);
    } catch (thrown) {
      setFailure(thrown instanceof ApiError ? thrown : new ApiError(0, 'It could not be passed on'));
    }
  };
  return (
    <form onSubmit={submit}>
      {failure && <Problem error={failure} />}
      <div className="nhsuk-form-group">
        <label className="nhsuk-label" htmlFor="service">
          Which service should have it?
        </label>
        <select className="nhsuk-select" id="service" name="service" required defaultValue="">
          <option value="" disabled>
            Choose a service
          </option>
          {choices.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </select>
      </div>
      <div className="nhsuk-form-group">
        <label className="nhsuk-label" htmlFor="pass-on-reason">
          Why? (the practice will see this)
        </label>
        <textarea className="nhsuk-textarea" id="pass-on-reason" name="reason" rows={3} required maxLength={500} />
      </div>
      <button type="submit" className="nhsuk-button">
        Send: pass on
      </button>
    </form>
  );
}
