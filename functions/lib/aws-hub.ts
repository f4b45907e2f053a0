import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { JWK } from 'jose';
import { patientIndexKey } from '../../core/fhir/patient-index.js';
import { createHub, type Hub, type HubAdapters, type HubConfig } from '../../core/hub.js';
import { DEFAULT_CLAIM_MAPPING } from '../../core/identity/sign-in.js';
import { DEFAULT_DELIVERY_POLICY, type DeliveryPolicy } from '../../core/lifecycle/delivery-policy.js';
import { CursorCodec } from './cursors.js';
import { DIRECTORY_REFRESH_SECONDS, DynamoDirectory } from './dynamo-directory.js';
import { DynamoIdentityStore } from './dynamo-identity.js';
import { DynamoOperationsStore } from './dynamo-operations.js';
import { ENV } from './environment.js';
import { FhirKitTransport } from './fhir-transport.js';
import { DynamoMessageStore } from './message-store/dynamo-message-store.js';
import { hubLog, recordMetric } from './observability.js';
import { HttpOidcProvider, type OidcSettings } from './oidc-client.js';
import { type SecretSource, secretsManagerSecret } from './secrets.js';
import { SesMailer } from './ses-mailer.js';
import { SqsDeliveryQueue } from './sqs-delivery-queue.js';
import {
  DELIVERY_QUEUE,
  DIRECTORY_TABLE,
  IDENTITY_TABLE,
  MESSAGE_BODIES_TABLE,
  MESSAGES_TABLE,
  OPERATIONS_TABLE,
} from './storage.js';
import { KeyPairSigner, KmsSigner } from './token-signers.js';

/** Where the hub's AWS resources are and how it behaves: from the Lambda environment, or given by `npm start`. */
export interface AwsSettings {
  config: HubConfig;
  messagesTable: string;
  messageBodiesTable: string;
  directoryTable: string;
  identityTable: string;
  operationsTable: string;
  deliveryQueueUrl: string;
  /** The hub's token signing key: an asymmetric KMS key on AWS; a key pair the local hub generated. */
  tokenKey: { kmsKeyId: string } | { privateJwk: JWK };
  /** People's sign-in: the OpenID Connect provider and the hub's client there (none: no sign-in for people). */
  oidc?: OidcSettings;
  directoryRefreshSeconds: number;
  /** The key paging cursors are signed with (one per deployment), read when first used. */
  cursorKey: SecretSource;
  /** The secret the NHS-number search index is keyed with (kept with the data: a new one loses the index). */
  searchKey: SecretSource;
  /** Where teams' emails come from (an SES identity); none: no emails (locally, the hub catches them instead). */
  mailFrom?: string;
  /** SDK client settings (the local hub points them at dynalite and fauxqs); the SDK's defaults on AWS. */
  client?: Pick<DynamoDBClientConfig, 'region' | 'credentials'> & { dynamoEndpoint?: string; sqsEndpoint?: string };
}

function numberSetting(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const value = Number(env[name]);
  return env[name] && Number.isFinite(value) ? value : fallback;
}

/** The one place the hub reads its environment: a missing required variable is a deployment fault at cold start. */
export function settingsFromEnvironment(env: NodeJS.ProcessEnv = process.env): AwsSettings {
  const required = (name: string) => {
    const value = env[name];
    if (!value) throw new Error(`Environment variable ${name} is not set`);
    return value;
  };
  const policy = deliveryPolicyFromEnvironment(env, DEFAULT_DELIVERY_POLICY);
  return {
    config: {
      hub: { odsCode: required(ENV.hubOdsCode), name: 'PCN Referral Hub', baseUrl: required(ENV.hubBaseUrl) },
      policy,
      claimMapping: {
        organisationClaim: env[ENV.oidcOrganisationClaim] ?? DEFAULT_CLAIM_MAPPING.organisationClaim,
        rolesClaim: env[ENV.oidcRolesClaim] ?? DEFAULT_CLAIM_MAPPING.rolesClaim,
      },
      opsOrganisations: (env[ENV.opsOrganisations] ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    },
    messagesTable: required(MESSAGES_TABLE.envVar),
    messageBodiesTable: required(MESSAGE_BODIES_TABLE.envVar),
    directoryTable: required(DIRECTORY_TABLE.envVar),
    identityTable: required(IDENTITY_TABLE.envVar),
    operationsTable: required(OPERATIONS_TABLE.envVar),
    tokenKey: { kmsKeyId: required(ENV.tokenKeyId) },
    ...(env[ENV.oidcIssuer]
      ? {
          oidc: {
            issuer: env[ENV.oidcIssuer]!,
            clientId: required(ENV.oidcClientId),
            scopes: env[ENV.oidcScopes] ?? 'openid profile',
          },
        }
      : {}),
    deliveryQueueUrl: required(DELIVERY_QUEUE.envVar),
    directoryRefreshSeconds: numberSetting(env, ENV.directoryRefreshSeconds, DIRECTORY_REFRESH_SECONDS),
    // Read from Secrets Manager at their first use, by the functions granted them (their ARNs only are here).
    cursorKey: secretOrMissing(env[ENV.cursorKeySecret], ENV.cursorKeySecret),
    searchKey: secretOrMissing(env[ENV.searchKeySecret], ENV.searchKeySecret),
    ...(env[ENV.mailFrom] ? { mailFrom: env[ENV.mailFrom] } : {}),
  };
}

let secretsClient: SecretsManagerClient | undefined;

/** The secret an ARN names, or, for a function not given one, a source that says so if it is ever asked. */
function secretOrMissing(secretId: string | undefined, variable: string): SecretSource {
  if (!secretId)
    return async () => {
      throw new Error(`This function has no ${variable}: it does not read the Messages table`);
    };
  return awsSecret(secretId);
}

/** A Secrets Manager secret of this deployment, read at first use with the container's one Secrets Manager client. */
export function awsSecret(secretId: string): SecretSource {
  secretsClient ??= new SecretsManagerClient({});
  return secretsManagerSecret(secretsClient, secretId);
}

/** The delivery policy's settings from the environment (the Lambdas', or `npm start`'s overrides), else `defaults`. */
export function deliveryPolicyFromEnvironment(env: NodeJS.ProcessEnv, defaults: DeliveryPolicy): DeliveryPolicy {
  return {
    maxAttempts: numberSetting(env, ENV.deliveryMaxAttempts, defaults.maxAttempts),
    baseDelaySeconds: numberSetting(env, ENV.deliveryBaseDelaySeconds, defaults.baseDelaySeconds),
    maxDelaySeconds: numberSetting(env, ENV.deliveryMaxDelaySeconds, defaults.maxDelaySeconds),
    pushTimeoutMs: numberSetting(env, ENV.pushTimeoutMs, defaults.pushTimeoutMs),
  };
}

export type SdkClient = DynamoDBClient | SQSClient | KMSClient;

/** A hub on AWS services: DynamoDB store and directory, SQS queue, FHIR push, Powertools logs and metrics. */
export interface AwsHub extends Hub {
  settings: AwsSettings;
  /** The DynamoDB client the adapters share (the local hub loads its routing tables with it). */
  documentClient: DynamoDBDocumentClient;
  /** Every AWS SDK client the hub calls through (the benchmark counts their requests). */
  sdkClients: readonly SdkClient[];
  /** Closes the SDK clients (the local hub, on stop). */
  close(): void;
}

/**
 * Builds the AWS adapters and hands them to the composition root. `override` replaces any of them: tests inject
 * a store, queue or transport that fails or stops on the Nth call.
 */
export function awsHub(settings: AwsSettings, override: (adapters: HubAdapters) => HubAdapters = (a) => a): AwsHub {
  const { dynamoEndpoint, sqsEndpoint, ...client } = settings.client ?? {};
  const dynamoClient = new DynamoDBClient({ ...client, ...(dynamoEndpoint ? { endpoint: dynamoEndpoint } : {}) });
  const dynamo = DynamoDBDocumentClient.from(dynamoClient, { marshallOptions: { removeUndefinedValues: true } });
  // Queue URLs from the local emulator name a host that does not resolve: always use the configured endpoint.
  const sqs = new SQSClient({
    ...client,
    ...(sqsEndpoint ? { endpoint: sqsEndpoint } : {}),
    useQueueUrlAsEndpoint: false,
  });
  const identityStore = new DynamoIdentityStore(dynamo, settings.identityTable);
  const kms = 'kmsKeyId' in settings.tokenKey ? new KMSClient({}) : undefined;
  const cursors = new CursorCodec(settings.cursorKey);
  const adapters = override({
    store: new DynamoMessageStore(
      dynamo,
      { messages: settings.messagesTable, bodies: settings.messageBodiesTable },
      cursors,
      patientIndexKey(settings.searchKey),
    ),
    queue: new SqsDeliveryQueue(sqs, settings.deliveryQueueUrl),
    directory: new DynamoDirectory(dynamo, settings.directoryTable, settings.directoryRefreshSeconds),
    transport: new FhirKitTransport(),
    operations: new DynamoOperationsStore(dynamo, settings.operationsTable, cursors),
    identity: {
      clients: identityStore,
      assertions: identityStore,
      requests: identityStore,
      sessions: identityStore,
      signer:
        'kmsKeyId' in settings.tokenKey
          ? new KmsSigner(kms!, settings.tokenKey.kmsKeyId)
          : new KeyPairSigner(settings.tokenKey.privateJwk),
    },
    ...(settings.oidc ? { signIn: { provider: new HttpOidcProvider(settings.oidc), pending: identityStore } } : {}),
    log: hubLog,
    metric: recordMetric,
    ...(settings.mailFrom ? { mailer: new SesMailer(new SESv2Client({}), settings.mailFrom) } : {}),
  });
  return {
    ...createHub(settings.config, adapters),
    settings,
    documentClient: dynamo,
    sdkClients: [dynamoClient, sqs, ...(kms ? [kms] : [])],
    close() {
      dynamo.destroy();
      sqs.destroy();
      kms?.destroy();
    },
  };
}

let lambdaSingleton: AwsHub | undefined;

/** The hub of this Lambda container: built once at cold start from the environment, kept while the container lives. */
export function lambdaHub(): AwsHub {
  lambdaSingleton ??= awsHub(settingsFromEnvironment());
  return lambdaSingleton;
}
