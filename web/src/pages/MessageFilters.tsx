import { useServices } from '../hooks';
import { STATUSES, statusWords } from '../words';
import { DateInput, dateOf } from './DateInput';
import { ServiceSelect } from './ServiceSelect';

/** The search's fields, as the address carries them (and the API takes them). */
export const FILTERS = ['sender', 'destination', 'service', 'status', 'since', 'until'] as const;
export type Filters = Partial<Record<(typeof FILTERS)[number], string>>;

function TextField(props: { name: string; label: string; hint?: string; value?: string }) {
  return (
    <div className="nhsuk-form-group">
      <label className="nhsuk-label" htmlFor={`filter-${props.name}`}>
        {props.label}
      </label>
      {props.hint && (
        <div className="nhsuk-hint" id={`filter-${props.name}-hint`}>
          {props.hint}
        </div>
      )}
      <input
        className="nhsuk-input nhsuk-input--width-10"
        id={`filter-${props.name}`}
        name={props.name}
        type="text"
        defaultValue={props.value ?? ''}
        autoComplete="off"
        {...(props.hint ? { 'aria-describedby': `filter-${props.name}-hint` } : {})}
      />
    </div>
  );
}

/** Ops' search by who sent a message, where it went, its service, status and when it arrived (any together). */
export function MessageFilters(props: { value: Filters; onSearch: (filters: Filters) => void }) {
  const services = useServices();
  // Open when the page shows a search (a status alone is the list's own filter below).
  const open = FILTERS.some((name) => name !== 'status' && props.value[name]);
  return (
    <details className="nhsuk-details" open={open}>
      <summary className="nhsuk-details__summary">
        <span className="nhsuk-details__summary-text">Search by sender, receiver, service or date</span>
      </summary>
      <div className="nhsuk-details__text">
        <form
          onSubmit={(event) => {
            event.preventDefault();
            const form = new FormData(event.currentTarget);
            const read = (name: (typeof FILTERS)[number]) =>
              name === 'since' || name === 'until' ? dateOf(form, name) : String(form.get(name) ?? '').trim();
            props.onSearch(Object.fromEntries(FILTERS.map((name) => [name, read(name)]).filter(([, value]) => value)));
          }}
        >
          <TextField name="sender" label="Sent by (ODS code)" hint="For example, Y00001" value={props.value.sender} />
          <TextField name="destination" label="Sent to (ODS code)" value={props.value.destination} />
          <ServiceSelect
            id="filter-service"
            name="service"
            label="Service"
            first="Any service"
            services={services}
            value={props.value.service}
          />
          <div className="nhsuk-form-group">
            <label className="nhsuk-label" htmlFor="filter-status">
              Where it is
            </label>
            <select className="nhsuk-select" id="filter-status" name="status" defaultValue={props.value.status ?? ''}>
              <option value="">Anywhere</option>
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {statusWords(s)}
                </option>
              ))}
            </select>
          </div>
          <DateInput
            name="since"
            legend="Received on or after"
            hint="For example, 15 3 2026"
            value={props.value.since}
          />
          <DateInput name="until" legend="Received before" value={props.value.until} />
          <button type="submit" className="nhsuk-button">
            Search
          </button>
        </form>
      </div>
    </details>
  );
}
