import middy from '@middy/core';
import type { Hub } from '../../core/hub.js';
import { watchAlerts } from '../../core/services/alerts.js';
import { escalateDeadlines } from '../../core/services/deadline-escalation.js';
import { sendDailyDigests } from '../../core/services/team-emails.js';

/**
 * Scheduled: escalate overdue care-home Tasks and referrals left unanswered past their route's response time, then
 * raise ops' alerts whose condition started and clear those whose condition ended, then (each morning, once) email
 * the teams that asked a digest of what waits for them.
 */
export function createDeadlinesHandler(hub: Hub) {
  return middy<unknown, { escalated: number; alerts: { raised: number; cleared: number }; digests: number }>().handler(
    async () => ({
      escalated: await escalateDeadlines(hub),
      alerts: await watchAlerts(hub),
      digests: await sendDailyDigests(hub),
    }),
  );
}
