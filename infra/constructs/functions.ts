import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { HandlerName } from '../../core/api/routes.js';
import { ENV } from '../../functions/lib/environment.js';
import {
  DEADLINE_SWEEP_MINUTES,
  FUNCTIONS,
  SWEEP_INTERVAL_MINUTES,
  TRAFFIC_BATCH_SIZE,
  TRAFFIC_BATCH_WINDOW_SECONDS,
} from '../../functions/lib/lambdas.js';
import { DELIVERY_QUEUE, MESSAGES_TABLE, OPERATIONS_TABLE, TABLES } from '../../functions/lib/storage.js';
import { LAMBDA_BUNDLING } from '../bundling.js';
import type { HubQueues } from './queues.js';
import type { SignInSettings } from './sign-in-pool.js';
import type { HubTables } from './tables.js';

export interface HubFunctionsProps {
  tables: HubTables;
  queues: HubQueues;
  /** Patient data (tables, queues, secrets) and operations (the functions' logs). */
  keys: { patientData: kms.IKey; operations: kms.IKey };
  /** The asymmetric key the hub signs its access tokens with. */
  tokenKey: kms.IKey;
  /** Where people sign in (the identity function reads it). */
  signIn: SignInSettings;
  hubOdsCode: string;
  opsOrganisations: string;
  /** The API's base URL (known after the API exists): where asynchronous answers to the hub go. */
  hubBaseUrl: string;
  /** The secret CloudFront sends the API: the API functions refuse a request without it. */
  originSecret: secretsmanager.ISecret;
}

/** Records per delivery invocation; failures are reported per record. */
const DELIVERY_BATCH_SIZE = 10;
/** Concurrent delivery workers: bounds the load the hub puts on receivers. */
const DELIVERY_MAX_CONCURRENCY = 20;
/** Times EventBridge retries a failed sweep invocation (the next sweep follows in minutes anyway). */
const SWEEP_RETRY_ATTEMPTS = 2;
/** Times the stream retries a failed traffic batch before setting it aside. */
const TRAFFIC_RETRY_ATTEMPTS = 3;
/** How long Lambda logs are kept. */
const LOG_RETENTION = logs.RetentionDays.ONE_YEAR;

/** The configuration every function is given: table and queue names, the token key, sign-in, the hub's identity. */
function environmentOf(props: HubFunctionsProps): Record<string, string> {
  const { tables, queues } = props;
  return {
    // Every table under the name its definition gives (functions/lib/storage.ts).
    ...Object.fromEntries(TABLES.map((table) => [table.envVar, tables.all[table.id]!.tableName])),
    [ENV.tokenKeyId]: props.tokenKey.keyArn,
    [ENV.oidcIssuer]: props.signIn.issuer,
    [ENV.oidcClientId]: props.signIn.clientId,
    [ENV.oidcScopes]: props.signIn.scopes,
    [ENV.oidcOrganisationClaim]: props.signIn.organisationClaim,
    [ENV.oidcRolesClaim]: props.signIn.rolesClaim,
    [DELIVERY_QUEUE.envVar]: queues.delivery.queueUrl,
    [ENV.hubOdsCode]: props.hubOdsCode,
    [ENV.opsOrganisations]: props.opsOrganisations,
    [ENV.hubBaseUrl]: props.hubBaseUrl,
    POWERTOOLS_SERVICE_NAME: 'pcn-referral-hub',
    POWERTOOLS_METRICS_NAMESPACE: 'PcnReferralHub',
    NODE_OPTIONS: '--enable-source-maps',
  };
}

/** One NodejsFunction per handler, bundled by the local esbuild, each granted only what it uses. */
export class HubFunctions extends Construct {
  readonly functions: Record<HandlerName, NodejsFunction>;

  constructor(scope: Construct, id: string, props: HubFunctionsProps) {
    super(scope, id);
    const environment = environmentOf(props);
    this.functions = Object.fromEntries(
      (Object.keys(FUNCTIONS) as HandlerName[]).map((name) => [name, this.make(name, environment, props)]),
    ) as Record<HandlerName, NodejsFunction>;
    this.grantSecrets(props);
    this.grantAccess(props);
    this.connectSources(props);
    this.schedule(props);
    this.acknowledgeNagFindings();
  }

  /** One handler's function, bundled as deployed, with its own encrypted log group. */
  private make(name: HandlerName, environment: Record<string, string>, props: HubFunctionsProps): NodejsFunction {
    const { queues } = props;
    const definition = FUNCTIONS[name];
    const logGroup = new logs.LogGroup(this, `${name}Logs`, {
      retention: LOG_RETENTION,
      encryptionKey: props.keys.operations,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    return new NodejsFunction(this, name, {
      entry: definition.entry,
      description: definition.description,
      runtime: lambda.Runtime.NODEJS_24_X, // the Node major the project is tested on (package.json devDependencies.node)
      architecture: lambda.Architecture.ARM_64,
      memorySize: definition.memorySize,
      timeout: Duration.seconds(definition.timeoutSeconds),
      ...(definition.reservedConcurrency ? { reservedConcurrentExecutions: definition.reservedConcurrency } : {}),
      // A scheduled run that still fails after Lambda's own retries is queued for ops with the undeliverable ones.
      ...(definition.invokedBy === 'schedule'
        ? { deadLetterQueue: queues.scheduleFailures, retryAttempts: SWEEP_RETRY_ATTEMPTS }
        : {}),
      environment,
      logGroup,
      tracing: lambda.Tracing.ACTIVE,
      bundling: {
        format: OutputFormat.ESM,
        target: LAMBDA_BUNDLING.target,
        minify: LAMBDA_BUNDLING.minify,
        sourceMap: true,
        mainFields: [...LAMBDA_BUNDLING.mainFields],
        banner: LAMBDA_BUNDLING.banner,
        externalModules: [...LAMBDA_BUNDLING.external],
      },
    });
  }

  /** The secrets the functions read at run time: their ARNs in the configuration, never their values. */
  private grantSecrets(props: HubFunctionsProps): void {
    const f = this.functions;
    // Paging cursors are signed with a per-deployment key (not patient data: changing it only ends open paging).
    const cursorKey = this.secret(
      props.keys.patientData,
      'CursorKey',
      'Signs the paging cursors the hub hands out',
      'Rotating the cursor key only invalidates cursors of pages being read; it is rotated by replacing the secret',
    );
    // The NHS-number search index is keyed with it (HMAC): a new key would leave the index unreadable.
    const searchKey = this.secret(
      props.keys.patientData,
      'SearchKey',
      'Keys the NHS-number search index (HMAC)',
      'A new search key would orphan the whole NHS-number index: it is replaced only with a re-index of the messages',
    );
    // The secrets' values never enter a function's configuration: the functions that read the Messages table (which
    // pages with the cursor key and indexes by the search key) are told where they are and may read them, at run time.
    for (const name of Object.keys(FUNCTIONS) as HandlerName[]) {
      if (!FUNCTIONS[name].access.messages) continue;
      for (const [variable, secret] of [
        [ENV.cursorKeySecret, cursorKey],
        [ENV.searchKeySecret, searchKey],
      ] as const) {
        f[name].addEnvironment(variable, secret.secretArn);
        secret.grantRead(f[name]);
      }
    }

    // The API functions answer only what came through CloudFront (it alone knows this secret).
    for (const name of Object.keys(FUNCTIONS) as HandlerName[]) {
      if (FUNCTIONS[name].invokedBy !== 'api') continue;
      f[name].addEnvironment(ENV.originSecret, props.originSecret.secretArn);
      props.originSecret.grantRead(f[name]);
    }
  }

  /** Least privilege, from each function's access in functions/lib/lambdas.ts. */
  private grantAccess(props: HubFunctionsProps): void {
    const { tables, queues } = props;
    const f = this.functions;
    for (const name of Object.keys(FUNCTIONS) as HandlerName[]) {
      const { access } = FUNCTIONS[name];
      // A message is its record and its Bundle: who may read or write one may the other.
      for (const table of [tables.messages, tables.messageBodies]) {
        if (access.messages === 'read-write') table.grantReadWriteData(f[name]);
        if (access.messages === 'read') table.grantReadData(f[name]);
      }
      if (access.directory === 'read') tables.directory.grantReadData(f[name]);
      if (access.directory === 'read-write') tables.directory.grantReadWriteData(f[name]);
      if (access.enqueue) queues.delivery.grantSendMessages(f[name]);
      if (access.identity === 'read-write') tables.identity.grantReadWriteData(f[name]);
      if (access.identity === 'count') {
        // Counting requests is one conditional update of the caller's window item, nothing else.
        tables.identity.grant(f[name], 'dynamodb:UpdateItem');
        props.keys.patientData.grant(f[name], 'kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*');
      }
      if (access.tokens === 'sign') props.tokenKey.grant(f[name], 'kms:Sign', 'kms:GetPublicKey');
      if (access.tokens === 'verify') props.tokenKey.grant(f[name], 'kms:GetPublicKey');
      if (access.operations === 'read') tables.operations.grantReadData(f[name]);
      if (access.operations === 'read-write') tables.operations.grantReadWriteData(f[name]);
      if (access.queueDepth) queues.delivery.grant(f[name], 'sqs:GetQueueAttributes');
      if (access.messageStream) tables.messages.grantStreamRead(f[name]);
    }
  }

  /** The queue and stream consumers' event sources. */
  private connectSources(props: HubFunctionsProps): void {
    const { tables, queues } = props;
    const f = this.functions;
    f.deliver.addEventSource(
      new SqsEventSource(queues.delivery, {
        batchSize: DELIVERY_BATCH_SIZE,
        reportBatchItemFailures: true,
        maxConcurrency: DELIVERY_MAX_CONCURRENCY,
      }),
    );
    f.deadLetter.addEventSource(
      new SqsEventSource(queues.deadLetter, { batchSize: DELIVERY_BATCH_SIZE, reportBatchItemFailures: true }),
    );
    f.traffic.addEventSource(
      new DynamoEventSource(tables.messages, {
        startingPosition: lambda.StartingPosition.LATEST,
        batchSize: TRAFFIC_BATCH_SIZE,
        maxBatchingWindow: Duration.seconds(TRAFFIC_BATCH_WINDOW_SECONDS),
        retryAttempts: TRAFFIC_RETRY_ATTEMPTS,
        bisectBatchOnError: true,
        // A batch that still fails is set aside (its stream positions) rather than holding up the counters.
        onFailure: new SqsDlq(queues.trafficFailures),
      }),
    );
  }

  /** The scheduled sweeps, each retried and then queued for ops when it still fails. */
  private schedule(props: HubFunctionsProps): void {
    const { queues } = props;
    const f = this.functions;
    new events.Rule(this, 'SweepSchedule', {
      schedule: events.Schedule.rate(Duration.minutes(SWEEP_INTERVAL_MINUTES)),
      targets: [
        new targets.LambdaFunction(f.sweep, {
          retryAttempts: SWEEP_RETRY_ATTEMPTS,
          deadLetterQueue: queues.scheduleFailures,
        }),
      ],
    });
    new events.Rule(this, 'DeadlineSchedule', {
      schedule: events.Schedule.rate(Duration.minutes(DEADLINE_SWEEP_MINUTES)),
      targets: [
        new targets.LambdaFunction(f.deadlines, {
          retryAttempts: SWEEP_RETRY_ATTEMPTS,
          deadLetterQueue: queues.scheduleFailures,
        }),
      ],
    });
  }

  /** cdk-nag findings on these functions that stand, each with why, on this construct only. */
  private acknowledgeNagFindings(): void {
    const indexes = MESSAGES_TABLE.indexes.map((index) => index.name).join(', ');
    Validations.of(this).acknowledge(
      {
        id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: 'The basic execution policy only lets each function write its own CloudWatch logs.',
      },
      {
        id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
        reason:
          "X-Ray's PutTraceSegments and PutTelemetryRecords, the functions' only grant on *, take no narrower resource.",
      },
      {
        id: 'AwsSolutions::AwsSolutions-IAM5[Resource::<TablesMessages5F3A57D1.Arn>/index/*]',
        reason: `The functions that read the Messages table query its ${MESSAGES_TABLE.indexes.length} indexes (${indexes}) and no other table's.`,
      },
      {
        id: 'AwsSolutions::AwsSolutions-IAM5[Resource::<TablesOperations2081F30E.Arn>/index/*]',
        reason: `The functions that read ops' alerts query the Operations table's index of them (${OPERATIONS_TABLE.indexes.map((i) => i.name).join(', ')}), and no other table's.`,
      },
      ...['kms:ReEncrypt*', 'kms:GenerateDataKey*'].map((action) => ({
        id: `AwsSolutions::AwsSolutions-IAM5[Action::${action}]`,
        reason:
          "CDK's grants for the hub's own keys only: the patient-data key (tables, delivery queues, secrets) and, for the traffic and scheduled functions, the operations key (their failure queues).",
      })),
      {
        id: 'HIPAA.Security::HIPAA.Security-IAMNoInlinePolicy',
        reason:
          "Each function's inline policy is the least-privilege grant CDK generates from its access in functions/lib/lambdas.ts, on the hub's own tables, queues and keys.",
      },
      {
        id: 'HIPAA.Security::HIPAA.Security-LambdaInsideVPC',
        reason:
          "The functions reach only AWS APIs (over TLS, IAM-authorised) and receivers' public HTTPS FHIR endpoints; a VPC would add NAT cost and no isolation. Revisit if a receiver is reachable only over HSCN.",
      },
    );
    for (const name of Object.keys(FUNCTIONS) as HandlerName[]) {
      const { invokedBy } = FUNCTIONS[name];
      if (invokedBy === 'api')
        Validations.of(this.functions[name]).acknowledge(
          {
            id: 'HIPAA.Security::HIPAA.Security-LambdaDLQ',
            reason: 'Invoked synchronously by the API: its caller gets the answer (or the error), nothing is queued.',
          },
          {
            id: 'HIPAA.Security::HIPAA.Security-LambdaConcurrency',
            reason:
              "Bounded by the API stage's throttle and each client's rate limit; a reservation would carve the account's pool the consumers' reservations already take from.",
          },
        );
      if (invokedBy === 'queue' || invokedBy === 'stream')
        Validations.of(this.functions[name]).acknowledge({
          id: 'HIPAA.Security::HIPAA.Security-LambdaDLQ',
          reason:
            'Invoked by its event source, whose own dead-letter queue keeps what fails (delivery → dead letter → parked; traffic batches → their failures queue): a Lambda DLQ applies only to asynchronous invocations.',
        });
    }
  }

  /** A generated secret, encrypted with the hub's key, whose rotation policy is explained where it is made. */
  private secret(key: kms.IKey, id: string, description: string, whyNotRotated: string): secretsmanager.Secret {
    const secret = new secretsmanager.Secret(this, id, {
      description,
      encryptionKey: key,
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
      // Kept with the tables: the NHS-number index is unreadable without the key it was made with.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(secret).acknowledge(
      { id: 'AwsSolutions-SMG4', reason: whyNotRotated },
      { id: 'HIPAA.Security-SecretsManagerRotationEnabled', reason: whyNotRotated },
    );
    return secret;
  }
}
