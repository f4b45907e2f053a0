import { useState } from 'react';
import type { LoadedNetworks, NetworkDefinition, ProposedNetworkDiff } from '../../../core/api/responses';
import { ApiError, api, apiPath } from '../api';
import { useApi } from '../hooks';
import { Problem } from './Problem';
import { Table } from './Table';

const words = (code: string) => code.replaceAll('-', ' ');

function LoadedNetwork({ network }: { network: NetworkDefinition }) {
  const services = new Map(network.services.map((s) => [s.id, s.name]));
  const organisations = new Map(network.organisations.map((o) => [o.odsCode, o.name]));
  return (
    <details className="nhsuk-details">
      <summary className="nhsuk-details__summary">
        <span className="nhsuk-details__summary-text">
          {network.name} ({network.practices.length} practices, {network.services.length} services,{' '}
          {network.routes.length} routes)
        </span>
      </summary>
      <div className="nhsuk-details__text">
        <Table
          caption={`Services of ${network.name}`}
          headings={['Service', 'Provided by', 'Takes', 'If paused']}
          rows={network.services.map((s) => ({
            key: s.id,
            cells: [
              `${s.name}${s.paused ? ' (paused)' : ''}`,
              organisations.get(s.provider) ?? s.provider,
              s.categories.map(words).join(', '),
              s.fallback ? `Goes to ${services.get(s.fallback) ?? s.fallback}` : 'No fallback',
            ],
          }))}
        />
        <Table
          caption={`Routes of ${network.name}`}
          headings={['Route', 'For', 'Goes to', 'Notes']}
          rows={network.routes.map((r) => ({
            key: r.id,
            cells: [
              r.id,
              words(r.category),
              services.get(r.service) ?? r.service,
              [r.fallback ? 'only when no other route matches' : '', r.description ?? ''].filter(Boolean).join('; '),
            ],
          }))}
        />
      </div>
    </details>
  );
}

/** The networks loaded now, and a check of a proposed network file: is it valid, what would it change. */
export function NetworksPage() {
  const { data, error } = useApi<LoadedNetworks>(apiPath('GET /routing/networks', {}));
  const [diff, setDiff] = useState<ProposedNetworkDiff | undefined>();
  const [failure, setFailure] = useState<ApiError | undefined>();
  const check = async (file: File) => {
    setDiff(undefined);
    setFailure(undefined);
    try {
      JSON.parse(await file.text());
    } catch {
      setFailure(new ApiError(400, `${file.name} is not a network file: it is not JSON.`));
      return;
    }
    await api<ProposedNetworkDiff>(apiPath('POST /routing/$diff', {}), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: await file.text(),
    }).then(setDiff, (thrown: ApiError) => setFailure(thrown));
  };
  return (
    <>
      <h1>Networks</h1>
      {error && <Problem error={error} />}
      {data?.networks.map((network) => (
        <LoadedNetwork key={network.id} network={network} />
      ))}
      <h2>Check a network file before it is loaded</h2>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          const file = new FormData(event.currentTarget).get('network');
          if (file instanceof File && file.size) void check(file);
        }}
      >
        <div className="nhsuk-form-group">
          <label className="nhsuk-label" htmlFor="network-file">
            Network file (JSON)
          </label>
          <div className="nhsuk-hint" id="network-file-hint">
            Nothing is loaded: this says whether the file is valid and what it would change. Load it with npm run
            network -- load.
          </div>
          <input
            className="nhsuk-file-upload"
            id="network-file"
            name="network"
            type="file"
            accept="application/json,.json"
            aria-describedby="network-file-hint"
          />
        </div>
        <button type="submit" className="nhsuk-button nhsuk-button--secondary">
          Check the file
        </button>
      </form>
      {failure && <Problem error={failure} />}
      {diff && (
        <div className="nhsuk-card">
          <div className="nhsuk-card__content">
            <h3 className="nhsuk-card__heading">
              {diff.networkName ?? diff.networkId ?? 'The file'}:{' '}
              {
                {
                  added: 'a new network',
                  changed: `${diff.details.length} change${diff.details.length === 1 ? '' : 's'}`,
                  unchanged: 'no changes',
                  invalid: `cannot be loaded (${diff.problems.length} problem${diff.problems.length === 1 ? '' : 's'})`,
                }[diff.change]
              }
            </h3>
            <ul className="nhsuk-list nhsuk-list--bullet">
              {diff.details.map((line) => (
                <li key={line}>{line}</li>
              ))}
              {diff.problems.map((p) => (
                <li key={`${p.path}${p.message}`}>
                  {p.path}: {p.message}
                </li>
              ))}
            </ul>
          </div>
        </div>
      )}
    </>
  );
}
