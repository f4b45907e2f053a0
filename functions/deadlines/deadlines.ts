import middy from '@middy/core';
import type { Hub } from '../../core/hub.js';
import { escalateDeadlines } from '../../core/services/deadlines.js';

/** Scheduled: escalate overdue care-home Tasks and referrals left unanswered past their route's response time. */
export function createDeadlinesHandler(hub: Hub) {
  return middy<unknown, { escalated: number }>().handler(async () => ({ escalated: await escalateDeadlines(hub) }));
}
