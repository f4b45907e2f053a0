import { Validations } from 'aws-cdk-lib';
import type { PcnReferralHubStack } from './stack.js';

/**
 * cdk-nag findings the hub accepts, each with its reason. Everything else (encryption, PITR, backups, SSL-only
 * queues and topics, access logs, throttling, log retention, tracing, latest runtime) is fixed in the constructs.
 */
export const NAG_ACKNOWLEDGEMENTS: { id: string; reason: string }[] = [
  {
    id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    reason: 'The basic execution policy only lets a function write its own CloudWatch logs.',
  },
  {
    id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]',
    reason: "AWS Backup's service role policy is the documented way to let it snapshot the tables.",
  },
  {
    id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
    reason: 'X-Ray PutTraceSegments/PutTelemetryRecords accept no resource narrower than *.',
  },
  {
    id: 'AwsSolutions::AwsSolutions-IAM5[Resource::<TablesMessages5F3A57D1.Arn>/index/*]',
    reason: "The functions query the messages table's own indexes (bySender, byStatus, byMailbox) and nothing else.",
  },
  {
    id: 'AwsSolutions::AwsSolutions-IAM5[Action::kms:ReEncrypt*]',
    reason: "Granted by CDK for the hub's own data key only (table and queue encryption).",
  },
  {
    id: 'AwsSolutions::AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
    reason: "Granted by CDK for the hub's own data key only (table and queue encryption).",
  },
  {
    id: 'HIPAA.Security::HIPAA.Security-IAMNoInlinePolicy',
    reason:
      "The inline policies are the per-function least-privilege grants CDK generates, each scoped to the hub's own tables, queues and key.",
  },
  {
    id: 'HIPAA.Security::HIPAA.Security-LambdaInsideVPC',
    reason:
      "The functions reach only AWS APIs (over TLS, IAM-authorised) and receivers' public HTTPS FHIR endpoints; a VPC would add NAT cost and no isolation. Revisit if a receiver is reachable only over HSCN.",
  },
  {
    id: 'HIPAA.Security::HIPAA.Security-LambdaDLQ',
    reason:
      'Only the sweep is invoked asynchronously, and it is idempotent and runs again every few minutes; the SQS-driven functions have the delivery DLQ, and the API functions answer their callers.',
  },
  {
    id: 'HIPAA.Security::HIPAA.Security-LambdaConcurrency',
    reason:
      "Reserved concurrency would take capacity from the account; the delivery load on receivers is bounded by the event source's maximum concurrency and the API by stage throttling.",
  },
];

export function acknowledgeNagFindings(stack: PcnReferralHubStack): void {
  for (const acknowledgement of NAG_ACKNOWLEDGEMENTS) Validations.of(stack).acknowledge(acknowledgement);
}
