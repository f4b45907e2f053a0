import type { HumanName, Practitioner, PractitionerRole, Reference, ServiceRequest, Task } from 'fhir/r4';
import type { MessageBundle } from './bundle.js';

/** A person's name as it is written: its text, else given names and family name. */
export const writtenName = (name?: HumanName) =>
  name?.text ?? ([...(name?.given ?? []), name?.family].filter(Boolean).join(' ') || undefined);

/**
 * The referring clinician's name: the request's requester, a Practitioner or a PractitionerRole's practitioner (as
 * BaRS senders send it), found by its reference in the Bundle. None when the request names no person.
 */
export function referrerOf(bundle: MessageBundle): string | undefined {
  const resources = (bundle.entry ?? []).flatMap((e) => (e.resource ? [{ url: e.fullUrl, resource: e.resource }] : []));
  const find = (reference?: Reference) =>
    resources.find(
      ({ url, resource }) =>
        reference?.reference !== undefined &&
        (url === reference.reference || `${resource.resourceType}/${resource.id}` === reference.reference),
    )?.resource;
  const request = resources
    .map((r) => r.resource)
    .find((r): r is ServiceRequest | Task => r.resourceType === 'ServiceRequest' || r.resourceType === 'Task');
  const requester = request && find('requester' in request ? request.requester : undefined);
  const practitioner =
    requester?.resourceType === 'PractitionerRole' ? find((requester as PractitionerRole).practitioner) : requester;
  return practitioner?.resourceType === 'Practitioner'
    ? writtenName((practitioner as Practitioner).name?.[0])
    : undefined;
}
