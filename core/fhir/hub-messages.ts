import { randomUUID } from 'node:crypto';
import type { FhirResource, MessageHeader, OperationOutcome, Organization } from 'fhir/r4';
import type { MessageBundle } from './bundle.js';
import { SYSTEMS } from './systems.js';

export interface HubIdentity {
  /** ODS code the hub signs its own messages with. */
  odsCode: string;
  name: string;
  /** Where asynchronous answers to the hub go: its FHIR base URL. */
  baseUrl: string;
}

/** FHIR MessageHeader.response.code. */
export type HubResponseCode = 'ok' | 'transient-error' | 'fatal-error';

/**
 * A servicerequest-response the hub itself sends a practice about its message, in the BaRS shape: MessageHeader,
 * then an OperationOutcome saying what happened. fatal-error: delivery finally failed; ok: re-sent by ops, or
 * delivered after such a replay.
 */
export function hubNotification(
  hub: HubIdentity,
  notice: {
    /** The message it is about. */
    about: string;
    /** ODS code of the organisation told. */
    to: string;
    code: HubResponseCode;
    /** 'warning' for an escalation (overdue, not answered); else information for ok, error otherwise. */
    severity?: 'information' | 'warning' | 'error';
    text: string;
    /** A deterministic Bundle.id, so the same notice is never sent twice. */
    id?: string;
    /** An OperationOutcome to send as it is (a receiver's refusal), instead of one made from `text`. */
    outcome?: OperationOutcome;
  },
  at: Date,
): MessageBundle {
  const { code, text } = notice;
  const headerUrl = `urn:uuid:${randomUUID()}`;
  const hubUrl = `urn:uuid:${randomUUID()}`;
  const receiverUrl = `urn:uuid:${randomUUID()}`;
  const outcomeUrl = `urn:uuid:${randomUUID()}`;
  const header: MessageHeader = {
    resourceType: 'MessageHeader',
    eventCoding: { system: SYSTEMS.barsMessageEvents, code: 'servicerequest-response' },
    destination: [{ endpoint: `${SYSTEMS.odsOrganisation}|${notice.to}`, receiver: { reference: receiverUrl } }],
    sender: { reference: hubUrl },
    source: { name: hub.name, software: 'PCN Referral Hub', endpoint: hub.baseUrl },
    response: { identifier: notice.about, code, details: { reference: outcomeUrl } },
  };
  const outcome: OperationOutcome = notice.outcome ?? {
    resourceType: 'OperationOutcome',
    issue: [
      notice.severity === 'warning'
        ? { severity: 'warning', code: 'timeout', diagnostics: text }
        : code === 'ok'
          ? { severity: 'information', code: 'informational', diagnostics: text }
          : {
              severity: 'error',
              code: 'transient',
              details: {
                coding: [
                  {
                    system: SYSTEMS.httpErrorCodes,
                    code: 'REC_UNAVAILABLE',
                    display: 'The receiver could not be reached',
                  },
                ],
              },
              diagnostics: text,
            },
    ],
  };
  const organisation = (ods: string, name?: string): Organization => ({
    resourceType: 'Organization',
    identifier: [{ system: SYSTEMS.odsOrganisation, value: ods }],
    ...(name ? { name } : {}),
  });
  const entries: [string, FhirResource][] = [
    [headerUrl, header],
    [hubUrl, organisation(hub.odsCode, hub.name)],
    [receiverUrl, organisation(notice.to)],
    [outcomeUrl, outcome],
  ];
  return {
    resourceType: 'Bundle',
    id: notice.id ?? randomUUID(),
    type: 'message',
    timestamp: at.toISOString(),
    entry: entries.map(([fullUrl, resource]) => ({ fullUrl, resource })),
  };
}
