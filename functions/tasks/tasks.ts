import type { Hub } from '../../core/hub.js';
import { readTask, searchTasks } from '../../core/services/tasks.js';
import { httpHandler } from '../lib/http.js';

/** Care-home Tasks as FHIR: GET /Task (searchset) and GET /Task/{id}, each caller seeing only its own. */
export function createTasksHandler(hub: Hub) {
  return httpHandler(
    'tasks',
    {
      'GET /Task': async (request) => ({ status: 200, body: await searchTasks(hub, request.caller, request.query) }),
      'GET /Task/{id}': async (request) => ({
        status: 200,
        body: await readTask(hub, request.caller, request.path.id!),
      }),
    },
    hub,
  );
}
