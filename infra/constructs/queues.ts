import { Duration, Validations } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DELIVERY_QUEUE } from '../../functions/lib/storage.js';

/**
 * The delivery queue and its dead-letter queues, from the definition the local runtime uses too (patient data: the
 * patient-data key), and the queues of failed schedules and traffic batches (positions only: the operations key).
 */
export class HubQueues extends Construct {
  readonly delivery: sqs.Queue;
  readonly deadLetter: sqs.Queue;
  /** Where a dead-lettered record goes when its own consumer keeps failing on it: kept for ops, alarmed on. */
  readonly parked: sqs.Queue;
  /** Scheduled sweep invocations EventBridge could not deliver after its retries (alarmed on). */
  readonly scheduleFailures: sqs.Queue;
  /** Where the Messages stream's traffic batches that kept failing are set aside (their stream positions only). */
  readonly trafficFailures: sqs.Queue;

  constructor(scope: Construct, id: string, keys: { patientData: kms.IKey; operations: kms.IKey }) {
    super(scope, id);
    this.parked = new sqs.Queue(this, 'DeliveryParked', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: keys.patientData,
      enforceSSL: true,
      retentionPeriod: Duration.seconds(DELIVERY_QUEUE.deadLetterRetentionSeconds),
    });
    Validations.of(this.parked).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        "It is the dead-letter queue's own dead-letter queue: the last stop, kept 14 days for ops (an alarm watches it)",
    });
    this.deadLetter = new sqs.Queue(this, 'DeliveryDeadLetter', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: keys.patientData,
      enforceSSL: true,
      retentionPeriod: Duration.seconds(DELIVERY_QUEUE.deadLetterRetentionSeconds),
      visibilityTimeout: Duration.seconds(DELIVERY_QUEUE.deadLetterVisibilityTimeoutSeconds),
      deadLetterQueue: { queue: this.parked, maxReceiveCount: DELIVERY_QUEUE.deadLetterMaxReceiveCount },
    });
    this.delivery = new sqs.Queue(this, 'Delivery', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: keys.patientData,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(DELIVERY_QUEUE.visibilityTimeoutSeconds),
      deadLetterQueue: { queue: this.deadLetter, maxReceiveCount: DELIVERY_QUEUE.maxReceiveCount },
    });
    this.trafficFailures = new sqs.Queue(this, 'TrafficFailures', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: keys.operations,
      enforceSSL: true,
      retentionPeriod: Duration.seconds(DELIVERY_QUEUE.deadLetterRetentionSeconds),
    });
    this.scheduleFailures = new sqs.Queue(this, 'ScheduleFailures', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: keys.operations,
      enforceSSL: true,
      retentionPeriod: Duration.seconds(DELIVERY_QUEUE.deadLetterRetentionSeconds),
    });
    Validations.of(this.scheduleFailures).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        "It is itself a dead-letter destination: the sweep schedules' target DLQ (nothing consumes it; an alarm watches it)",
    });
    Validations.of(this.trafficFailures).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        "It is itself a dead-letter destination: the Lambda stream source's on-failure queue for traffic batches (nothing consumes it; an alarm watches it)",
    });
  }
}
