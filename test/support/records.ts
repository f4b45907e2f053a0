import type { MessageBundle } from '../../core/fhir/bundle.js';
import type { MessageRecord } from '../../core/lifecycle/message-record.js';

/** Stored message records and their Bundles, as a store holds them: factories for the store's tests. */

export function aRecord(overrides: Partial<MessageRecord> & { minute: number }): MessageRecord {
  const { minute, ...rest } = overrides;
  const at = new Date(Date.UTC(2026, 10, 23, 9, minute)).toISOString();
  return {
    messageId: crypto.randomUUID(),
    kind: 'request',
    event: 'servicerequest-request',
    requestId: crypto.randomUUID(),
    correlationId: crypto.randomUUID(),
    senderOrganisation: 'Z8T001',
    destination: { organisation: 'Z8T101', channel: 'mailbox' },
    status: 'accepted',
    attempts: 0,
    replays: 0,
    createdAt: at,
    updatedAt: at,
    timeline: [],
    ...rest,
  };
}
export const bundleOf = (record: MessageRecord): MessageBundle => ({
  resourceType: 'Bundle',
  id: record.messageId,
  type: 'message',
});
