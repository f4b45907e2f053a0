import { Duration, Validations } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DELIVERY_QUEUE } from '../../functions/lib/resources.js';

/** The delivery queue and its dead-letter queue, from the definition the local runtime uses too. */
export class HubQueues extends Construct {
  readonly delivery: sqs.Queue;
  readonly deadLetter: sqs.Queue;
  /** Where the Messages stream's traffic batches that kept failing are set aside (their stream positions only). */
  readonly trafficFailures: sqs.Queue;

  constructor(scope: Construct, id: string, props: { key: kms.IKey }) {
    super(scope, id);
    this.deadLetter = new sqs.Queue(this, 'DeliveryDeadLetter', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.key,
      enforceSSL: true,
      retentionPeriod: Duration.seconds(DELIVERY_QUEUE.deadLetterRetentionSeconds),
    });
    this.delivery = new sqs.Queue(this, 'Delivery', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.key,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(DELIVERY_QUEUE.visibilityTimeoutSeconds),
      deadLetterQueue: { queue: this.deadLetter, maxReceiveCount: DELIVERY_QUEUE.maxReceiveCount },
    });
    this.trafficFailures = new sqs.Queue(this, 'TrafficFailures', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.key,
      enforceSSL: true,
      retentionPeriod: Duration.seconds(DELIVERY_QUEUE.deadLetterRetentionSeconds),
    });
    Validations.of(this.trafficFailures).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        "It is itself a dead-letter destination: the Lambda stream source's on-failure queue for traffic batches (nothing consumes it; an alarm watches it)",
    });
  }
}
