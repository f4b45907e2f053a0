import { CHANGED_FIELDS, type MessageChange } from '../../../core/lifecycle/message-change.js';
import type { MessageRecord } from '../../../core/lifecycle/message-record.js';
import { listShardOf } from './items.js';

/** One DynamoDB UpdateItem's expressions, built from a MessageChange. */
export interface ChangeExpression {
  UpdateExpression: string;
  ConditionExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues?: Record<string, unknown>;
}

/** Collects the SET, REMOVE and condition clauses of one update, and the names and values they use. */
class UpdateBuilder {
  readonly names: Record<string, string> = { '#messageId': 'messageId' };
  readonly values: Record<string, unknown> = {};
  readonly sets: string[] = [];
  readonly removes: string[] = [];
  readonly conditions = ['attribute_exists(#messageId)'];

  /** `#name` for each attribute name given. */
  name(...names: string[]) {
    for (const name of names) this.names[`#${name}`] = name;
  }
  value(placeholder: string, value: unknown) {
    this.values[`:${placeholder}`] = value;
  }
  /** Sets a field of the record map. */
  setRecordField(field: keyof MessageRecord, value: unknown) {
    this.name('record', field);
    this.value(field, value);
    this.sets.push(`#record.#${field} = :${field}`);
  }
  /** Sets a top-level attribute (an index key) to a value. */
  setAttribute(attribute: string, value: unknown) {
    this.name(attribute);
    this.value(attribute, value);
    this.sets.push(`#${attribute} = :${attribute}`);
  }
  removeAttributes(...attributes: string[]) {
    this.name(...attributes);
    this.removes.push(...attributes.map((a) => `#${a}`));
  }

  build(): ChangeExpression | undefined {
    const update = [
      this.sets.length ? `SET ${this.sets.join(', ')}` : '',
      this.removes.length ? `REMOVE ${this.removes.join(', ')}` : '',
    ]
      .filter(Boolean)
      .join(' ');
    if (!update) return undefined;
    return {
      UpdateExpression: update,
      ConditionExpression: this.conditions.join(' AND '),
      ExpressionAttributeNames: this.names,
      ...(Object.keys(this.values).length ? { ExpressionAttributeValues: this.values } : {}),
    };
  }
}

/** The status, and since when: updatedAt means "in this status since", so events alone do not move it. */
function setStatus(update: UpdateBuilder, change: MessageChange) {
  if (change.status === undefined) return;
  update.name('record', 'status', 'updatedAt');
  update.value('status', change.status);
  update.value('updatedAt', change.at.toISOString());
  update.sets.push(
    '#status = :status',
    '#record.#status = :status',
    '#updatedAt = :updatedAt',
    '#record.#updatedAt = :updatedAt',
  );
}

/** What the record itself gains: timeline events, the fields a change sets as given, another attempt. */
function setRecordFields(update: UpdateBuilder, change: MessageChange) {
  if (change.events.length > 0) {
    update.name('record', 'timeline');
    update.value('events', change.events);
    update.sets.push('#record.#timeline = list_append(#record.#timeline, :events)');
  }
  for (const field of CHANGED_FIELDS) {
    if (change[field] !== undefined) update.setRecordField(field, change[field]);
  }
  if (change.incrementAttempts) {
    update.name('record', 'attempts');
    update.value('one', 1);
    update.sets.push('#record.#attempts = #record.#attempts + :one');
  }
}

/** The index keys a change moves: who it is listed for, whether it is overdue, watched, in a mailbox. */
function setIndexKeys(update: UpdateBuilder, messageId: string, change: MessageChange) {
  if (change.destination) {
    // Sent elsewhere (a replay to another service): it is now the other organisation's to list and count.
    update.setAttribute('receiverOrganisation', change.destination.organisation);
    if (change.destination.serviceId) update.setAttribute('serviceId', change.destination.serviceId);
    else update.removeAttributes('serviceId');
  }
  if (change.overdue === true) {
    // Into the sparse byOverdue index (what ops list as past its deadline), or out of it once settled.
    update.setAttribute('overdueShard', listShardOf(messageId));
    update.setAttribute('overdueAt', change.at.toISOString());
  } else if (change.overdue === false) update.removeAttributes('overdueShard', 'overdueAt');
  if (change.dueAt) {
    update.setAttribute('dueAt', change.dueAt);
    update.setAttribute('dueShard', listShardOf(messageId));
    update.name('record');
    update.sets.push('#record.#dueAt = :dueAt');
  }
  if (change.clearDue) update.removeAttributes('dueAt', 'dueShard');
  if (change.mailbox === null) update.removeAttributes('mailbox');
  else if (change.mailbox !== undefined) update.setAttribute('mailbox', change.mailbox);
}

/** The state the change expects: each a condition of the same write, so a change that lost a race changes nothing. */
function expectState(update: UpdateBuilder, change: MessageChange) {
  const expect = change.expect ?? {};
  if (expect.status !== undefined) {
    update.name('status');
    update.value('expectStatus', expect.status);
    update.conditions.push('#status = :expectStatus');
  }
  if (expect.statusIn?.length) {
    update.name('status');
    const placeholders = expect.statusIn.map((status, i) => {
      update.value(`expectStatus${i}`, status);
      return `:expectStatus${i}`;
    });
    update.conditions.push(`#status IN (${placeholders.join(', ')})`);
  }
  if (expect.attempts !== undefined) {
    update.name('record', 'attempts');
    update.value('expectAttempts', expect.attempts);
    update.conditions.push('#record.#attempts = :expectAttempts');
  }
  if (expect.taskStatus !== undefined) {
    update.name('record', 'task');
    update.names['#taskStatus'] = 'status';
    update.value('expectTaskStatus', expect.taskStatus);
    update.conditions.push('#record.#task.#taskStatus = :expectTaskStatus');
  }
  if (expect.due) {
    update.name('dueAt');
    update.conditions.push('attribute_exists(#dueAt)');
  }
  if (expect.outcome === 'none') {
    update.name('record', 'outcome');
    update.conditions.push('attribute_not_exists(#record.#outcome)');
  } else if (expect.outcome !== undefined) {
    update.name('record', 'outcome');
    update.value('expectOutcome', expect.outcome);
    update.conditions.push('#record.#outcome = :expectOutcome');
  }
  if (expect.mailboxOf !== undefined) {
    update.name('record', 'destination', 'channel', 'organisation');
    update.value('mailboxChannel', 'mailbox');
    update.value('mailboxOf', expect.mailboxOf);
    update.conditions.push(
      '#record.#destination.#channel = :mailboxChannel',
      '#record.#destination.#organisation = :mailboxOf',
    );
  }
}

/** The UpdateItem expressions of a change; undefined when it changes nothing. */
export function changeExpression(messageId: string, change: MessageChange): ChangeExpression | undefined {
  const update = new UpdateBuilder();
  setStatus(update, change);
  setRecordFields(update, change);
  setIndexKeys(update, messageId, change);
  expectState(update, change);
  return update.build();
}
