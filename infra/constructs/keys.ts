import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/**
 * The hub's two customer-managed keys, apart so that who may read patient data and who may read logs never mix:
 * `patientData` encrypts what holds patients (tables, delivery queues, secrets, backups) and is used only by the
 * hub's own functions and AWS services acting for them; `operations` encrypts what ops read (log groups, the CloudFront
 * access logs, the alarm topic, the queues of failed schedules and traffic batches) and is the one AWS's log and
 * alarm services may use, each only for this account's resources.
 */
export class HubKeys extends Construct {
  readonly patientData: kms.Key;
  readonly operations: kms.Key;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const stack = Stack.of(this);
    this.patientData = new kms.Key(this, 'PatientData', {
      enableKeyRotation: true,
      description: 'PCN Referral Hub: patient data (tables, delivery queues, secrets, backups)',
    });
    this.operations = new kms.Key(this, 'Operations', {
      enableKeyRotation: true,
      description: 'PCN Referral Hub: logs, access logs, alarms, failed schedules (no patient data)',
    });
    const forThisAccount = { StringEquals: { 'aws:SourceAccount': stack.account } };
    // CloudWatch Logs encrypts the hub's log groups: only log groups of this account and region (its encryption context).
    this.operations.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'LogGroupsOfThisAccount',
        principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:*`,
          },
        },
      }),
    );
    // CloudWatch alarms publish to the encrypted alarm topic: alarms of this account only.
    this.operations.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AlarmsOfThisAccount',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: forThisAccount,
      }),
    );
    // EventBridge puts a schedule it could not deliver on the encrypted failures queue: rules of this account only.
    this.operations.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'ScheduleFailuresOfThisAccount',
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: forThisAccount,
      }),
    );
    // CloudFront's standard logs are written by the log delivery service, which needs a data key per log file
    // (CloudFront's developer guide gives this statement, for a bucket encrypted with a customer key).
    this.operations.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudFrontAccessLogs',
        principals: [new iam.ServicePrincipal('delivery.logs.amazonaws.com')],
        actions: ['kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
  }
}
