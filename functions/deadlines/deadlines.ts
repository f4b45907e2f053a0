import middy from '@middy/core';
import type { Hub } from '../../core/hub.js';
import { watchAlerts } from '../../core/services/alerts.js';
import { escalateDeadlines } from '../../core/services/deadlines.js';

/**
 * Scheduled: escalate overdue care-home Tasks and referrals left unanswered past their route's response time, then
 * raise ops' alerts whose condition started and clear those whose condition ended.
 */
export function createDeadlinesHandler(hub: Hub) {
  return middy<unknown, { escalated: number; alerts: { raised: number; cleared: number } }>().handler(async () => ({
    escalated: await escalateDeadlines(hub),
    alerts: await watchAlerts(hub),
  }));
}
