import { defineLifecycle } from './state-machine.js';

/**
 * FHIR R4's Task state machine (https://hl7.org/fhir/R4/task.html#statemachine), for care-home work: the owner's
 * task-update messages move a Task along it. entered-in-error may follow any state (a record made by mistake).
 */
export type TaskStatus =
  | 'draft'
  | 'requested'
  | 'received'
  | 'accepted'
  | 'rejected'
  | 'ready'
  | 'cancelled'
  | 'in-progress'
  | 'on-hold'
  | 'failed'
  | 'completed'
  | 'entered-in-error';

export const TASK_LIFECYCLE = defineLifecycle<TaskStatus>('task', {
  draft: ['requested', 'cancelled', 'entered-in-error'],
  requested: ['received', 'accepted', 'rejected', 'cancelled', 'entered-in-error'],
  received: ['accepted', 'rejected', 'cancelled', 'entered-in-error'],
  accepted: ['ready', 'in-progress', 'cancelled', 'entered-in-error'],
  rejected: ['entered-in-error'],
  ready: ['in-progress', 'cancelled', 'failed', 'completed', 'entered-in-error'],
  'in-progress': ['on-hold', 'completed', 'failed', 'cancelled', 'entered-in-error'],
  'on-hold': ['in-progress', 'cancelled', 'failed', 'entered-in-error'],
  cancelled: ['entered-in-error'],
  failed: ['entered-in-error'],
  completed: ['entered-in-error'],
  'entered-in-error': [],
});
