import { CfnParameter, Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { HandlerName } from '../../core/api/routes.js';
import { DEFAULT_DELIVERY_POLICY } from '../../core/lifecycle/delivery-policy.js';
import type { HubMetric } from '../../core/ports.js';
import { FUNCTIONS, SWEEP_STUCK_AFTER_SECONDS } from '../../functions/lib/lambdas.js';
import { DELIVERY_QUEUE } from '../../functions/lib/storage.js';
import { type AlarmMaker, IDLE_IS_HEALTHY, SILENCE_IS_NONE } from './alarms.js';
import type { HubApi } from './api.js';
import { addHeartbeat } from './heartbeat.js';
import type { HubQueues } from './queues.js';
import type { HubTables } from './tables.js';

/** Retries in 15 minutes that mean a receiver is struggling (each retry is one DeliveryRetried). */
const RETRY_STORM_THRESHOLD = 50;
/** Refused messages in 15 minutes that mean a sender is misconfigured (bad input of every kind counts here). */
const REJECTION_SPIKE_THRESHOLD = 20;
/** Requests refused 401/403 in 15 minutes that look like a misconfigured client or an attack. */
const UNAUTHORISED_BURST_THRESHOLD = 20;
/** How far behind the Messages stream the traffic counters may fall before ops are told (IteratorAge, ms). */
const TRAFFIC_STREAM_MAX_AGE_MS = 15 * 60_000;
/** Alarm when a function's p99 duration passes this share of its timeout. */
const DURATION_ALARM_SHARE = 0.8;

/** What the monitoring watches. */
interface MonitoringProps {
  key: kms.IKey;
  tables: HubTables;
  queues: HubQueues;
  functions: Record<HandlerName, NodejsFunction>;
  api: HubApi;
  alarmEmail?: string;
}

/** One of the hub's own metrics (Powertools' namespace and service dimension), summed over the period. */
const hubMetric = (name: HubMetric, period = Duration.minutes(5)) =>
  new cloudwatch.Metric({
    namespace: 'PcnReferralHub',
    metricName: name,
    dimensionsMap: { service: 'pcn-referral-hub' },
    statistic: 'Sum',
    period,
  });

/**
 * Alarms for every threshold the hub runs on, and the ops dashboard (volumes, failures, queues). Alarms notify the
 * topic `alarmTopic`; subscribe ops to it.
 */
export class HubMonitoring extends Construct {
  readonly alarmTopic: sns.Topic;
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    this.alarmTopic = this.topic(props);
    const alarm = this.alarmMaker(new actions.SnsAction(this.alarmTopic));
    this.deliveryAlarms(alarm, props);
    this.requestAlarms(alarm, props);
    this.resourceAlarms(alarm, props);
    addHeartbeat(this, alarm, hubMetric('MessageAccepted', Duration.hours(1)));
    this.dashboard = this.makeDashboard(props);
  }

  /** The topic ops are told on: only this account's CloudWatch alarms may publish; its subscriber is a parameter. */
  private topic(props: MonitoringProps): sns.Topic {
    const topic = new sns.Topic(this, 'Alarms', { masterKey: props.key, enforceSSL: true });
    // enforceSSL writes the topic's own policy (a Deny), which replaces SNS's default: CloudWatch alarms of this
    // account only are allowed to publish, or no alarm would ever reach anyone.
    const stack = Stack.of(this);
    topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsOfThisAccountPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:cloudwatch:${stack.region}:${stack.account}:alarm:*` },
        },
      }),
    );
    // Someone must be told: the stack takes the address as a parameter without a default (CloudFormation refuses to
    // deploy without it; -c alarmEmail=... fills it in).
    const alarmEmail = new CfnParameter(stack, 'AlarmEmail', {
      type: 'String',
      description: "Where the hub's alarms are emailed (the ops desk's shared mailbox); confirm the subscription",
      allowedPattern: '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$',
      constraintDescription: 'an email address',
      ...(props.alarmEmail ? { default: props.alarmEmail } : {}),
    });
    topic.addSubscription(new subscriptions.EmailSubscription(alarmEmail.valueAsString));
    return topic;
  }

  /** Each alarm tells ops once when its condition starts and once when it ends. */
  private alarmMaker(notify: actions.SnsAction): AlarmMaker {
    return (id, m, threshold, description, whenSilent, shape = {}) => {
      const a = new cloudwatch.Alarm(this, id, {
        metric: m,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        ...shape,
        treatMissingData: whenSilent,
        alarmDescription: description,
      });
      // Ops are told once when a condition starts and once when it ends, not on every evaluation.
      a.addAlarmAction(notify);
      a.addOkAction(notify);
      return a;
    };
  }

  /** Deliveries that failed, queues that do not drain, sweeps and counters that fall behind. */
  private deliveryAlarms(alarm: AlarmMaker, props: MonitoringProps): void {
    alarm(
      'DeliveryFailed',
      hubMetric('DeliveryFailed'),
      1,
      `A message failed after ${DEFAULT_DELIVERY_POLICY.maxAttempts} attempts or was refused; its sender was told. Replay it from the ops API.`,

      SILENCE_IS_NONE,
    );
    alarm(
      'DeadLettered',
      hubMetric('DeadLettered'),
      1,
      `A delivery record reached the DLQ after ${DELIVERY_QUEUE.maxReceiveCount} receives (worker crashes).`,
      SILENCE_IS_NONE,
    );
    alarm(
      'DeadLetterQueueNotEmpty',
      props.queues.deadLetter.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
      1,
      'The dead-letter consumer is not draining the DLQ.',
      IDLE_IS_HEALTHY,
    );
    alarm(
      'ParkedNotEmpty',
      props.queues.parked.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
      1,
      "A dead-lettered delivery defeated its own consumer 5 times and is parked: read the dead-letter function's logs, then redrive it.",
      IDLE_IS_HEALTHY,
    );
    alarm(
      'ScheduleFailed',
      props.queues.scheduleFailures.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
      1,
      'A scheduled sweep (requeue, retention, deadlines) could not be invoked after its retries: overdue work may go unescalated.',
      IDLE_IS_HEALTHY,
    );
    alarm(
      'TrafficStreamBehind',
      props.functions.traffic.metric('IteratorAge', { statistic: 'Maximum', period: Duration.minutes(5) }),
      TRAFFIC_STREAM_MAX_AGE_MS,
      `The traffic counters are over ${TRAFFIC_STREAM_MAX_AGE_MS / 60_000} minutes behind the Messages stream: the console's figures lag.`,
      IDLE_IS_HEALTHY,
    );
    alarm(
      'AlertRaised',
      hubMetric('AlertRaised'),
      1,
      "The hub raised an alert (a destination failing, the queue backing up, a failed delivery, overdue work): see the console's Alerts page.",
      SILENCE_IS_NONE,
    );
    alarm(
      'TrafficCountsSetAside',
      props.queues.trafficFailures.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
      1,
      "A batch of the Messages stream could not be counted: the console's traffic figures miss it. Check the traffic function's logs.",
      IDLE_IS_HEALTHY,
    );
    alarm(
      'EnqueueFailed',
      hubMetric('EnqueueFailed'),
      1,
      'A stored message could not be enqueued; the sweep will enqueue it.',
      SILENCE_IS_NONE,
    );
    alarm(
      'MessagesStuck',
      hubMetric('MessageRequeued'),
      1,
      `The sweep found messages without progress for ${SWEEP_STUCK_AFTER_SECONDS} s.`,
      SILENCE_IS_NONE,
    );
  }

  /** What callers do to the hub: refusals, retries, escalations, waiting deliveries, API errors. */
  private requestAlarms(alarm: AlarmMaker, props: MonitoringProps): void {
    alarm(
      'UnauthorisedBurst',
      hubMetric('Unauthorised', Duration.minutes(15)),
      UNAUTHORISED_BURST_THRESHOLD,
      'Many requests refused 401/403: a misconfigured client, or someone trying identities.',
      SILENCE_IS_NONE,
    );
    alarm(
      'SweepFailed',
      hubMetric('SweepFailed'),
      1,
      'A sweep could not enqueue or escalate a message (a poison message, or SQS failing); it carried on with the others and will try again.',
      SILENCE_IS_NONE,
    );
    alarm(
      'DeadlineEscalated',
      hubMetric('DeadlineEscalated'),
      1,
      "A care-home Task is overdue, or a referral was not answered within its route's response time; the sender (and for a Task the PCN clinical lead) was told.",
      SILENCE_IS_NONE,
    );
    alarm(
      'RetryStorm',
      hubMetric('DeliveryRetried', Duration.minutes(15)),
      RETRY_STORM_THRESHOLD,
      'Many delivery retries: a receiver is failing.',
      SILENCE_IS_NONE,
    );
    alarm(
      'RejectionSpike',
      hubMetric('RequestRefused', Duration.minutes(15)),
      REJECTION_SPIKE_THRESHOLD,
      'Many messages refused (4xx): a sender is misconfigured or sending bad input.',
      SILENCE_IS_NONE,
    );
    alarm(
      'DeliveryQueueOldMessage',
      props.queues.delivery.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(5), statistic: 'Maximum' }),
      SWEEP_STUCK_AFTER_SECONDS,
      'Deliveries are waiting longer than the longest retry schedule.',
      IDLE_IS_HEALTHY,
    );
    alarm(
      'Api5xx',
      props.api.httpApi.metricServerError({ period: Duration.minutes(5) }),
      1,
      'The API answered 5xx.',
      IDLE_IS_HEALTHY,
    );
  }

  /** Every table throttled, and every function's errors, throttles and near-timeouts. */
  private resourceAlarms(alarm: AlarmMaker, props: MonitoringProps): void {
    for (const [name, table] of Object.entries(props.tables.all)) {
      alarm(
        `${name}TableThrottled`,
        new cloudwatch.MathExpression({
          expression: 'FILL(reads, 0) + FILL(writes, 0)',
          usingMetrics: {
            reads: table.metric('ReadThrottleEvents', { statistic: 'Sum', period: Duration.minutes(5) }),
            writes: table.metric('WriteThrottleEvents', { statistic: 'Sum', period: Duration.minutes(5) }),
          },
          period: Duration.minutes(5),
        }),
        1,
        `DynamoDB throttled the ${name} table (a hot partition or an account limit): see docs/capacity.md.`,
        IDLE_IS_HEALTHY,
      );
    }
    for (const [name, fn] of Object.entries(props.functions) as [HandlerName, NodejsFunction][]) {
      alarm(
        `${name}Errors`,
        fn.metricErrors({ period: Duration.minutes(5) }),
        1,
        `${name} Lambda errors.`,
        IDLE_IS_HEALTHY,
      );
      alarm(
        `${name}Throttles`,
        fn.metricThrottles({ period: Duration.minutes(5) }),
        1,
        `${name} Lambda throttled.`,
        IDLE_IS_HEALTHY,
      );
      alarm(
        `${name}NearTimeout`,
        fn.metricDuration({ period: Duration.minutes(5), statistic: 'p99' }),
        FUNCTIONS[name].timeoutSeconds * 1000 * DURATION_ALARM_SHARE,
        `${name} p99 duration above ${DURATION_ALARM_SHARE * 100}% of its timeout.`,
        IDLE_IS_HEALTHY,
      );
    }
  }

  /** The dashboard: volumes, failures and queues. */
  private makeDashboard(props: MonitoringProps): cloudwatch.Dashboard {
    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { dashboardName: 'PcnReferralHub' });
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Volumes',
        left: (
          [
            'MessageAccepted',
            'ResponseAccepted',
            'DeliverySucceeded',
            'DeliveredToMailbox',
            'MailboxAcknowledged',
          ] as HubMetric[]
        ).map((n) => hubMetric(n)),
      }),
      new cloudwatch.GraphWidget({
        title: 'Failures',
        left: (
          [
            'RequestRefused',
            'MessageDuplicate',
            'DeliveryRetried',
            'DeliveryFailed',
            'DeadLettered',
            'SenderNotified',
            'MessageReplayed',
          ] as HubMetric[]
        ).map((n) => hubMetric(n)),
      }),
      new cloudwatch.GraphWidget({
        title: 'Queues',
        left: [
          props.queues.delivery.metricApproximateNumberOfMessagesVisible(),
          props.queues.deadLetter.metricApproximateNumberOfMessagesVisible(),
        ],
        right: [props.queues.delivery.metricApproximateAgeOfOldestMessage()],
      }),
    );
    return dashboard;
  }
}
