import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';

/** One alarm: what it watches, its threshold, what it tells ops, and what no data means for it. */
export type AlarmMaker = (
  id: string,
  metric: cloudwatch.IMetric,
  threshold: number,
  description: string,
  whenSilent: cloudwatch.TreatMissingData,
  shape?: Partial<Pick<cloudwatch.AlarmProps, 'comparisonOperator' | 'evaluationPeriods'>>,
) => cloudwatch.Alarm;

/** For counts the hub emits only when the thing happens: no data means it did not happen. */
export const SILENCE_IS_NONE = cloudwatch.TreatMissingData.NOT_BREACHING;
/** For metrics AWS stops sending when idle (an empty queue, a function not invoked, no requests): idle is healthy. */
export const IDLE_IS_HEALTHY = cloudwatch.TreatMissingData.NOT_BREACHING;
/** For the heartbeat: silence is the failure it watches for. */
export const SILENCE_IS_FAILURE = cloudwatch.TreatMissingData.BREACHING;
