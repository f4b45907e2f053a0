import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { HubLog, HubMetric } from '../../core/ports.js';

/** One logger and one metrics namespace for the whole hub. Logs carry ids and ODS codes, never patient data. */
export const logger = new Logger({ serviceName: 'pcn-referral-hub' });
export const metrics = new Metrics({ namespace: 'PcnReferralHub', serviceName: 'pcn-referral-hub' });

export const hubLog: HubLog = {
  info: (message, attributes) => logger.info(message, attributes ?? {}),
  warn: (message, attributes) => logger.warn(message, attributes ?? {}),
  error: (message, attributes) => logger.error(message, attributes ?? {}),
};

export function recordMetric(name: HubMetric, value = 1): void {
  metrics.addMetric(name, MetricUnit.Count, value);
}
