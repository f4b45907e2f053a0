import { useState } from 'react';
import type { MessageRecord, ReplayResult } from '../../../core/api/responses';
import type { ApiError } from '../api';
import { alternativesFor, replayMany, useServices } from '../hooks';
import { DateInput, dateOf } from './DateInput';
import { MessagesTable } from './MessagesTable';
import { Problem } from './Problem';
import { ServiceSelect } from './ServiceSelect';

/** What a bulk replay did, in words: how many went, and why the others did not. */
function Outcome({ results }: { results: ReplayResult[] }) {
  const sent = results.filter((r) => !r.problem);
  const refused = results.filter((r) => r.problem);
  return (
    <div className="nhsuk-inset-text">
      <span className="nhsuk-u-visually-hidden">Information: </span>
      <p>
        {results.length === 0
          ? 'Nothing matched: no message was sent again.'
          : `${sent.length} sent again. Their referring practices have been told.`}
      </p>
      {refused.length > 0 && (
        <ul className="nhsuk-list nhsuk-list--bullet">
          {refused.map((r) => (
            <li key={r.messageId}>{r.problem}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

/**
 * Failed messages, sent again many at a time: those ticked, or every one that failed for a service since a date;
 * to their own service or all to another.
 */
export function BulkReplay({ messages, onDone }: { messages: MessageRecord[]; onDone: () => void }) {
  const services = useServices();
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [failedTo, setFailedTo] = useState('');
  // Another service only within the senders' network: one network among the chosen, or the failed service's.
  const chosenNetworks = new Set(messages.filter((m) => chosen.has(m.messageId)).map((m) => m.route?.networkId));
  const chosenNetwork = chosenNetworks.size === 1 ? [...chosenNetworks][0] : undefined;
  const failedToNetwork = services.find((s) => s.id === failedTo)?.network;
  const [results, setResults] = useState<ReplayResult[] | undefined>();
  const [failure, setFailure] = useState<ApiError | undefined>();
  const toggle = (id: string) =>
    setChosen((now) => {
      const next = new Set(now);
      if (!next.delete(id)) next.add(id);
      return next;
    });
  const run = (request: ReturnType<typeof replayMany>) =>
    request.then(
      ({ results: done }) => {
        setFailure(undefined);
        setResults(done);
        setChosen(new Set());
        onDone();
      },
      (thrown: ApiError) => setFailure(thrown),
    );
  return (
    <>
      {failure && <Problem error={failure} />}
      {results && <Outcome results={results} />}
      {messages.length > 0 && (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            const to = String(new FormData(event.currentTarget).get('to') ?? '');
            void run(replayMany({ messages: [...chosen] }, to || undefined));
          }}
        >
          <MessagesTable
            caption="Failed messages, newest first"
            messages={messages}
            time="received"
            choose={{ chosen, toggle }}
            why
          />
          <ServiceSelect
            id="chosen-to"
            name="to"
            label="Send the chosen messages to"
            hint="Another service is offered when every chosen message comes from the same network"
            first="Each one's own service"
            services={alternativesFor(services, chosenNetwork)}
          />
          <button type="submit" className="nhsuk-button" disabled={chosen.size === 0}>
            Send the chosen again ({chosen.size})
          </button>
        </form>
      )}
      <h2>Send again everything that failed for a service</h2>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          const form = new FormData(event.currentTarget);
          const since = dateOf(form, 'failed-since');
          const to = String(form.get('to') ?? '');
          if (failedTo) void run(replayMany({ failedTo, ...(since ? { since } : {}) }, to || undefined));
        }}
      >
        <ServiceSelect
          id="failed-to"
          name="failedTo"
          label="Failed for"
          first="Choose a service"
          services={services}
          onChange={setFailedTo}
        />
        <DateInput name="failed-since" legend="Failed on or after" hint="Leave empty for every one that failed" />
        <ServiceSelect
          id="all-to"
          name="to"
          label="Send them to"
          hint="The other services of the failed service's network"
          first="The same service"
          services={alternativesFor(services, failedToNetwork, failedTo)}
        />
        <button type="submit" className="nhsuk-button nhsuk-button--secondary">
          Send them all again
        </button>
      </form>
    </>
  );
}
