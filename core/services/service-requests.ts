import type { ServiceRequest } from 'fhir/r4';
import { type Caller, requireOrganisation } from '../auth.js';
import { issue, NotFoundError } from '../errors.js';
import type { MessageRecord } from '../lifecycle/message-record.js';
import type { HubDependencies } from './dependencies.js';

/** Most messages of one case read to find the referral a ServiceRequest id names. */
const CASE_LOOKUP_LIMIT = 100;

/** What the referral's ServiceRequest says now: cancelled by its sender is revoked, completed by its receiver completed. */
const STATUS_BY_OUTCOME: Partial<Record<NonNullable<MessageRecord['outcome']>, ServiceRequest['status']>> = {
  cancelled: 'revoked',
  completed: 'completed',
};

/**
 * BaRS GET /ServiceRequest/{id}: a referral the hub carried, as its sender sent it (its status as it stands now), to
 * a party of its case: its sender or the organisation it was delivered to (ops: any). The id is the ServiceRequest's
 * own (its id or fullUrl uuid), found within the case named by X-Correlation-Id, or the referral's message id.
 * Anyone else is told exactly what an unknown id is told (404).
 */
export async function readServiceRequest(
  deps: HubDependencies,
  caller: Caller,
  id: string,
  correlationId?: string,
): Promise<ServiceRequest> {
  const organisation = requireOrganisation(caller);
  const inCase = correlationId
    ? (await deps.store.listByCorrelation(correlationId, CASE_LOOKUP_LIMIT)).items.find(
        (m) => m.kind === 'request' && m.serviceRequestId === id,
      )
    : undefined;
  const record = inCase ?? (await deps.store.get(id));
  const party =
    record && (caller.ops || [record.senderOrganisation, record.destination.organisation].includes(organisation));
  const bundle = record?.serviceRequestId && party ? await deps.store.getBundle(record.messageId) : undefined;
  const entry = bundle?.entry?.find((e) => e.resource?.resourceType === 'ServiceRequest');
  if (!record || !entry) {
    throw new NotFoundError('No such ServiceRequest', [
      issue(
        'not-found',
        `No ServiceRequest ${id}${correlationId ? ` in case ${correlationId}` : ''} for ${organisation}`,
      ),
    ]);
  }
  const request = entry.resource as ServiceRequest;
  const status = record.outcome ? STATUS_BY_OUTCOME[record.outcome] : undefined;
  return { ...request, id: record.serviceRequestId!, ...(status ? { status } : {}) };
}
