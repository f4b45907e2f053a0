import type { Task } from 'fhir/r4';
import type { TaskState } from '../../lifecycle/message-record.js';

export function businessStatusOf(task: Task): string | undefined {
  return (
    task.businessStatus?.text ?? task.businessStatus?.coding?.[0]?.display ?? task.businessStatus?.coding?.[0]?.code
  );
}

/** Task.note as kept on the record: who added it (the sending organisation) and when. */
export function notesOf(task: Task, author: string, now: Date): TaskState['notes'] {
  return (task.note ?? [])
    .filter((n) => typeof n.text === 'string')
    .map((n) => ({ at: n.time ?? now.toISOString(), author, text: n.text }));
}
