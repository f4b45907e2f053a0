import { RemovalPolicy } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import {
  DIRECTORY_TABLE,
  IDENTITY_TABLE,
  MESSAGES_TABLE,
  OPERATIONS_TABLE,
  type TableDefinition,
} from '../../functions/lib/resources.js';

/** The hub's DynamoDB tables, from the same definitions the local runtime creates: encrypted, PITR, backed up. */
export class HubTables extends Construct {
  readonly messages: dynamodb.TableV2;
  readonly directory: dynamodb.TableV2;
  readonly identity: dynamodb.TableV2;
  readonly operations: dynamodb.TableV2;

  constructor(scope: Construct, id: string, props: { key: kms.IKey }) {
    super(scope, id);
    // Its stream (old and new images) keeps ops' traffic counters as messages change state.
    this.messages = this.table(MESSAGES_TABLE, props.key, dynamodb.StreamViewType.NEW_AND_OLD_IMAGES);
    this.directory = this.table(DIRECTORY_TABLE, props.key);
    this.identity = this.table(IDENTITY_TABLE, props.key);
    this.operations = this.table(OPERATIONS_TABLE, props.key);
    const plan = backup.BackupPlan.daily35DayRetention(this, 'BackupPlan');
    plan.addSelection('Tables', {
      resources: [
        backup.BackupResource.fromDynamoDbTable(this.messages),
        backup.BackupResource.fromDynamoDbTable(this.directory),
        backup.BackupResource.fromDynamoDbTable(this.identity),
        backup.BackupResource.fromDynamoDbTable(this.operations),
      ],
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
