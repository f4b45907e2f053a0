import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import {
  DIRECTORY_TABLE,
  IDENTITY_TABLE,
  MESSAGE_BODIES_TABLE,
  MESSAGES_TABLE,
  OPERATIONS_TABLE,
  type TableDefinition,
} from '../../functions/lib/storage.js';

/** Days each daily backup is kept (BackupPlan.daily35DayRetention); the vault lock refuses anything shorter. */
const BACKUP_RETENTION_DAYS = 35;
/** Days the vault lock may still be changed or removed after deploying, before it becomes immutable (min 3). */
const VAULT_LOCK_COOLING_OFF_DAYS = 3;

/** The hub's DynamoDB tables, from the same definitions the local runtime creates: encrypted, PITR, backed up. */
export class HubTables extends Construct {
  readonly messages: dynamodb.TableV2;
  readonly messageBodies: dynamodb.TableV2;
  readonly directory: dynamodb.TableV2;
  readonly identity: dynamodb.TableV2;
  readonly operations: dynamodb.TableV2;

  /** Every table by its name, for what applies to all of them (alarms, backups). */
  get all(): Record<string, dynamodb.TableV2> {
    return {
      Messages: this.messages,
      MessageBodies: this.messageBodies,
      Directory: this.directory,
      Identity: this.identity,
      Operations: this.operations,
    };
  }

  constructor(scope: Construct, id: string, props: { key: kms.IKey }) {
    super(scope, id);
    // Its stream (old and new images) keeps ops' traffic counters as messages change state.
    this.messages = this.table(MESSAGES_TABLE, props.key, dynamodb.StreamViewType.NEW_AND_OLD_IMAGES);
    this.messageBodies = this.table(MESSAGE_BODIES_TABLE, props.key);
    this.directory = this.table(DIRECTORY_TABLE, props.key);
    this.identity = this.table(IDENTITY_TABLE, props.key);
    this.operations = this.table(OPERATIONS_TABLE, props.key);
    // Backups of patient data, in a vault encrypted with the patient-data key whose lock (after its cooling-off days)
    // stops anyone, an attacker with admin rights included, from deleting a backup before its retention ends.
    const vault = new backup.BackupVault(this, 'BackupVault', {
      encryptionKey: props.key,
      removalPolicy: RemovalPolicy.RETAIN,
      lockConfiguration: {
        minRetention: Duration.days(BACKUP_RETENTION_DAYS),
        changeableFor: Duration.days(VAULT_LOCK_COOLING_OFF_DAYS),
      },
    });
    const plan = backup.BackupPlan.daily35DayRetention(this, 'BackupPlan', vault);
    plan.addSelection('Tables', {
      resources: Object.values(this.all).map((table) => backup.BackupResource.fromDynamoDbTable(table)),
    });
    Validations.of(plan).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]',
      reason: "AWS Backup's service role policy is AWS's documented way to let it snapshot the selected tables.",
    });
  }

  private table(definition: TableDefinition, key: kms.IKey, stream?: dynamodb.StreamViewType): dynamodb.TableV2 {
    const attribute = (k: { name: string; type: 'S' | 'N' }) => ({
      name: k.name,
      type: k.type === 'S' ? dynamodb.AttributeType.STRING : dynamodb.AttributeType.NUMBER,
    });
    return new dynamodb.TableV2(this, definition.id, {
      partitionKey: attribute(definition.partitionKey),
      ...(definition.sortKey ? { sortKey: attribute(definition.sortKey) } : {}),
      billing: dynamodb.Billing.onDemand(),
      ...(stream ? { dynamoStream: stream } : {}),
      encryption: dynamodb.TableEncryptionV2.customerManagedKey(key),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      ...(definition.timeToLiveAttribute ? { timeToLiveAttribute: definition.timeToLiveAttribute } : {}),
      globalSecondaryIndexes: definition.indexes.map((index) => ({
        indexName: index.name,
        partitionKey: attribute(index.partitionKey),
        ...(index.sortKey ? { sortKey: attribute(index.sortKey) } : {}),
        ...(index.projectedAttributes.length
          ? { projectionType: dynamodb.ProjectionType.INCLUDE, nonKeyAttributes: index.projectedAttributes }
          : { projectionType: dynamodb.ProjectionType.KEYS_ONLY }),
      })),
    });
  }
}
