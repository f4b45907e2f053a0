import { Stack, TimeZone } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import type { Construct } from 'constructs';
import { type AlarmMaker, SILENCE_IS_FAILURE } from './alarms.js';

/** Hours in business hours without one referral accepted before ops are told the hub may be unreachable. */
const HEARTBEAT_SILENT_HOURS = 2;
/** Business hours (Europe/London, Monday to Friday), when practices refer: the heartbeat speaks only then. */
const BUSINESS_HOURS = { timeZone: 'Europe/London', from: 8, to: 18, weekDays: 'MON-FRI' } as const;

/**
 * The heartbeat: no referral accepted for HEARTBEAT_SILENT_HOURS in business hours means senders cannot reach the
 * hub (DNS, certificate, WAF, identity) even though nothing inside it failed. Its actions are switched on at the
 * start of business hours and off at the end by two schedules, so nights and weekends stay quiet.
 */
export function addHeartbeat(scope: Construct, alarm: AlarmMaker, accepted: cloudwatch.IMetric): void {
  const heartbeat = alarm(
    'NoReferralsInBusinessHours',
    accepted,
    1,
    `No referral accepted for ${HEARTBEAT_SILENT_HOURS} hours in business hours: check that practices can reach the hub (its address, certificate, web ACL, token endpoint).`,
    SILENCE_IS_FAILURE,
    {
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: HEARTBEAT_SILENT_HOURS,
    },
  );
  const { timeZone, from, to, weekDays } = BUSINESS_HOURS;
  const switches = [
    ['HeartbeatOn', 'enableAlarmActions', from],
    ['HeartbeatOff', 'disableAlarmActions', to],
  ] as const;
  const permissions = switches.map(
    ([, action]) =>
      new iam.PolicyStatement({
        actions: [`cloudwatch:${action[0]!.toUpperCase()}${action.slice(1)}`],
        resources: [heartbeat.alarmArn],
      }),
  );
  // Its own role and managed policy: the two switches on this one alarm, for schedules of this account only.
  const switcher = new iam.Role(scope, 'HeartbeatSwitch', {
    assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
      conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(scope).account } },
    }),
    managedPolicies: [new iam.ManagedPolicy(scope, 'HeartbeatSwitchPolicy', { statements: permissions })],
  });
  switches.forEach(([id, action, hour], i) => {
    new scheduler.Schedule(scope, id, {
      description: `${action} for the business-hours heartbeat alarm`,
      schedule: scheduler.ScheduleExpression.cron({
        minute: '0',
        hour: String(hour),
        weekDay: weekDays,
        timeZone: TimeZone.of(timeZone),
      }),
      target: new schedulerTargets.Universal({
        service: 'cloudwatch',
        action,
        input: scheduler.ScheduleTargetInput.fromObject({ AlarmNames: [heartbeat.alarmName] }),
        role: switcher.withoutPolicyUpdates(),
        policyStatements: [permissions[i]!],
      }),
    });
  });
}
