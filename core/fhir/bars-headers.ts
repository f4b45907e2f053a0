import { HEADERS, SYSTEMS } from './systems.js';

/** Where a message goes, as far as its BaRS headers say. */
interface Target {
  organisation: string;
  serviceId?: string;
  dosServiceId?: string;
}

/** What the headers of a delivery are made from: the message's case, sender and destination. */
interface Delivered {
  correlationId: string;
  senderOrganisation: string;
  destination: Target;
}

const base64Json = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64');

/** NHSD-End-User-Organisation: the organisation a request is made for, as a Base64 FHIR Organization. */
export function endUserOrganisationHeader(odsCode: string): string {
  return base64Json({
    resourceType: 'Organization',
    identifier: [{ system: SYSTEMS.odsOrganisation, value: odsCode }],
  });
}

/**
 * NHSD-Target-Identifier of where a message goes: the receiving service's Directory of Services id when it has one,
 * else its id in the hub's directory, else (an answer going back to a practice) the organisation's ODS code.
 */
export function targetIdentifierHeader(destination: Target): string {
  const target = destination.dosServiceId
    ? { system: SYSTEMS.dosServiceId, value: destination.dosServiceId }
    : destination.serviceId
      ? { system: SYSTEMS.hubService, value: destination.serviceId }
      : { system: SYSTEMS.odsOrganisation, value: destination.organisation };
  return base64Json(target);
}

/**
 * The headers of the hub's request to a receiver, as a BaRS receiver expects them: its own X-Request-Id (the same
 * for every retry of one delivery, so a receiver that already took it answers 409 duplicate; a new one when ops
 * send it again), the case's X-Correlation-Id, the receiving service, and the organisation it is sent for.
 */
export function barsPushHeaders(record: Delivered, requestId: string): Record<string, string> {
  return {
    [HEADERS.requestId]: requestId,
    [HEADERS.correlationId]: record.correlationId,
    [HEADERS.targetIdentifier]: targetIdentifierHeader(record.destination),
    [HEADERS.endUserOrganisation]: endUserOrganisationHeader(record.senderOrganisation),
  };
}
