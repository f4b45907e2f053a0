import { type FormEvent, useState } from 'react';
import type { RouteExplanation } from '../../../core/api/responses';
import type { QueryOf } from '../../../core/api/routes';
import { apiPath } from '../api';
import { useApi } from '../hooks';
import { Problem } from './Problem';

/** The service categories the network offers, from the directory (each service lists its own). */
function useCategories(): string[] {
  const { data } = useApi<{ entry?: { resource: { category?: { coding?: { code?: string }[] }[] } }[] }>(
    apiPath('GET /HealthcareService', {}),
  );
  const codes = (data?.entry ?? []).flatMap((e) => e.resource.category ?? []).map((c) => c.coding?.[0]?.code);
  return [...new Set(codes.filter((c): c is string => !!c))].sort();
}

/** Where a referral from a practice, for a service, would go now and why: the live routing tables, explained. */
export function RoutingPage() {
  const categories = useCategories();
  const [question, setQuestion] = useState<Partial<Record<QueryOf<'GET /routing/$explain'>, string>>>();
  const { data, error } = useApi<RouteExplanation>(question && apiPath('GET /routing/$explain', question));
  const ask = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const asked = (name: QueryOf<'GET /routing/$explain'>) => String(form.get(name) ?? '').trim() || undefined;
    setQuestion({
      practice: asked('practice'),
      category: asked('category'),
      postcode: asked('postcode'),
      urgency: asked('urgency'),
    });
  };
  return (
    <>
      <h1>Where would a referral go?</h1>
      <form onSubmit={ask}>
        <div className="nhsuk-form-group">
          <label className="nhsuk-label" htmlFor="practice">
            Referring practice (ODS code)
          </label>
          <input className="nhsuk-input nhsuk-input--width-10" id="practice" name="practice" required />
        </div>
        <div className="nhsuk-form-group">
          <label className="nhsuk-label" htmlFor="category">
            Service asked for
          </label>
          <select className="nhsuk-select" id="category" name="category">
            {categories.map((c) => (
              <option key={c} value={c}>
                {c.replaceAll('-', ' ')}
              </option>
            ))}
          </select>
        </div>
        <div className="nhsuk-form-group">
          <label className="nhsuk-label" htmlFor="postcode">
            Patient's postcode (optional)
          </label>
          <input className="nhsuk-input nhsuk-input--width-10" id="postcode" name="postcode" autoComplete="off" />
        </div>
        <div className="nhsuk-form-group">
          <label className="nhsuk-label" htmlFor="urgency">
            Urgency
          </label>
          <select className="nhsuk-select" id="urgency" name="urgency">
            <option value="routine">Routine</option>
            <option value="urgent">Urgent</option>
          </select>
        </div>
        <button type="submit" className="nhsuk-button">
          Explain
        </button>
      </form>
      {error && <Problem error={error} />}
      {data && (
        <div className="nhsuk-card">
          <div className="nhsuk-card__content">
            <h2 className="nhsuk-card__heading">
              {data.service ? `${data.service.name} (${data.service.organisation})` : 'It would be refused'}
            </h2>
            {data.refused && <p className="nhsuk-body">{data.refused}</p>}
            {data.divertedFrom && (
              <p className="nhsuk-body">
                Instead of {data.divertedFrom}, which is {data.divertedBecause}.
              </p>
            )}
            <ol className="nhsuk-list nhsuk-list--number">
              {data.explanation.map((line) => (
                <li key={line}>{line}</li>
              ))}
            </ol>
          </div>
        </div>
      )}
    </>
  );
}
