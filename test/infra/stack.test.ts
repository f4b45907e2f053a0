import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROUTES, routeKey } from '../../core/api/routes.js';
import { DEFAULT_DELIVERY_POLICY } from '../../core/lifecycle/delivery-policy.js';
import { DELIVERY_CLAIM_LEASE_SECONDS, FUNCTIONS } from '../../functions/lib/lambdas.js';
import { DELIVERY_QUEUE, MESSAGES_TABLE, TABLES } from '../../functions/lib/storage.js';
import { buildApp, deploymentRegion } from '../../infra/app.js';
import { SESSION_TO_BEARER } from '../../infra/constructs/web-app.js';
import { LOCAL_HUB_ODS } from '../../local/identities.js';

describe('the CDK stack', () => {
  let template: Template;
  let app: App;
  beforeAll(() => {
    ({ app } = buildApp(new App({ outdir: `${process.env.TMPDIR ?? '/tmp'}/hub-cdk-test-${process.pid}` })));
    template = Template.fromStack(app.node.findChild('PcnReferralHub') as never);
  }, 120_000);

  it('passes cdk-nag AwsSolutions and HIPAA.Security (every finding fixed or acknowledged with a reason)', () => {
    expect(() => app.synth({ force: true })).not.toThrow();
  });

  it('has one Node.js Lambda per handler, on a current runtime, traced', () => {
    const functions = Object.fromEntries(
      Object.entries(
        template.findResources('AWS::Lambda::Function', { Properties: { Handler: 'index.handler' } }),
      ).filter(([id]) => id.startsWith('Functions')),
    );
    expect(Object.keys(functions)).toHaveLength(Object.keys(FUNCTIONS).length);
    for (const fn of Object.values(functions) as {
      Properties: { Runtime: string; TracingConfig: { Mode: string } };
    }[]) {
      expect(fn.Properties.Runtime).toMatch(/^nodejs(2[2-9]|[3-9]\d)\.x$/);
      expect(fn.Properties.TracingConfig.Mode).toBe('Active');
    }
  });

  it('creates the messages table from the shared definition, encrypted with a CMK, with PITR', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      KeySchema: [{ AttributeName: MESSAGES_TABLE.partitionKey.name, KeyType: 'HASH' }],
      GlobalSecondaryIndexes: MESSAGES_TABLE.indexes.map((index) =>
        Match.objectLike({
          IndexName: index.name,
          Projection: index.projectedAttributes.length
            ? { ProjectionType: 'INCLUDE', NonKeyAttributes: index.projectedAttributes }
            : { ProjectionType: 'KEYS_ONLY' },
        }),
      ),
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
      Replicas: [
        Match.objectLike({
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          DeletionProtectionEnabled: true,
        }),
      ],
    });
  });

  it('backs the tables up', () => {
    template.resourceCountIs('AWS::Backup::BackupPlan', 1);
    template.resourceCountIs('AWS::Backup::BackupSelection', 1);
  });

  it('gives the delivery queue a KMS-encrypted dead-letter queue with the shared redrive settings', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      VisibilityTimeout: DELIVERY_QUEUE.visibilityTimeoutSeconds,
      RedrivePolicy: { maxReceiveCount: DELIVERY_QUEUE.maxReceiveCount, deadLetterTargetArn: Match.anyValue() },
      KmsMasterKeyId: Match.anyValue(),
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      MessageRetentionPeriod: DELIVERY_QUEUE.deadLetterRetentionSeconds,
      KmsMasterKeyId: Match.anyValue(),
    });
  });

  it('consumes the delivery queue with per-record failure reporting', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: 10,
    });
  });

  it("exposes every route behind the hub's token authorizer (but the public ones), with access logs and throttling", () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Route', ROUTES.length); // no route the table does not declare
    for (const route of ROUTES)
      template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
        RouteKey: routeKey(route),
        AuthorizationType: route.access === 'public' ? 'NONE' : 'JWT',
      });
    // The authorizer trusts the hub's own issuer (the API's URL), whose tokens are for the API itself.
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: { Issuer: Match.anyValue(), Audience: Match.anyValue() },
    });
    // The token key is asymmetric and in KMS: the token endpoint may sign with it, the API functions only read it.
    template.hasResourceProperties('AWS::KMS::Key', { KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      AccessLogSettings: Match.objectLike({ DestinationArn: Match.anyValue() }),
      DefaultRouteSettings: Match.objectLike({ ThrottlingRateLimit: Match.anyValue() }),
    });
  });

  it('grants each function exactly the access the functions table gives it (least privilege)', () => {
    const policies = template.findResources('AWS::IAM::Policy') as Record<
      string,
      { Properties: { PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown }[] } } }
    >;
    for (const [name, { access, invokedBy }] of Object.entries(FUNCTIONS)) {
      const policy = Object.entries(policies).find(([id]) => id.startsWith(`Functions${name}ServiceRole`))?.[1];
      const statements = policy?.Properties.PolicyDocument.Statement ?? [];
      const actionsOn = (table: string) =>
        statements
          .filter((s) => JSON.stringify(s.Resource).includes(table))
          .flatMap((s) => s.Action)
          .filter((a) => a.startsWith('dynamodb:'));
      const messages = actionsOn('TablesMessages');
      const directory = actionsOn('TablesDirectory');
      const sqsActions = statements
        .filter((s) => JSON.stringify(s.Resource).includes('QueuesDelivery'))
        .flatMap((s) => s.Action)
        .filter((a) => a.startsWith('sqs:Send'));
      const operations = actionsOn('TablesOperations');
      const identity = actionsOn('TablesIdentity');
      const kmsActions = statements
        .filter((s) => JSON.stringify(s.Resource).includes('IdentityTokenKey'))
        .flatMap((s) => s.Action);
      expect(kmsActions.includes('kms:Sign'), `${name} signs tokens`).toBe(access.tokens === 'sign');
      expect(kmsActions.includes('kms:GetPublicKey'), `${name} checks tokens`).toBe(access.tokens !== undefined);
      expect(identity.includes('dynamodb:UpdateItem'), `${name} counts requests`).toBe(access.identity !== undefined);
      expect(identity.includes('dynamodb:PutItem'), `${name} registers clients`).toBe(access.identity === 'read-write');
      expect(messages.includes('dynamodb:PutItem'), `${name} writes messages`).toBe(access.messages === 'read-write');
      expect(messages.includes('dynamodb:GetItem'), `${name} reads messages`).toBe(access.messages !== undefined);
      expect(directory.includes('dynamodb:GetItem'), `${name} reads the directory`).toBe(
        access.directory !== undefined,
      );
      expect(directory.includes('dynamodb:PutItem'), `${name} writes the directory`).toBe(
        access.directory === 'read-write',
      );
      expect(sqsActions.length > 0, `${name} enqueues`).toBe(access.enqueue === true);
      expect(operations.includes('dynamodb:Query'), `${name} reads ops' counters`).toBe(
        access.operations !== undefined,
      );
      expect(operations.includes('dynamodb:UpdateItem'), `${name} writes ops' counters`).toBe(
        access.operations === 'read-write',
      );
      const secretsRead = JSON.stringify(
        statements.filter((s) => [s.Action].flat().includes('secretsmanager:GetSecretValue')).map((s) => s.Resource),
      );
      const reads = (secret: string) => secretsRead.includes(secret);
      expect(reads('CursorKey') && reads('SearchKey'), `${name} reads the cursor and search keys`).toBe(
        access.messages !== undefined,
      );
      expect(reads('SearchKey'), `${name} reads the search key`).toBe(access.messages !== undefined);
      expect(reads('OriginSecret'), `${name} reads the origin secret`).toBe(invokedBy === 'api');
    }
  });

  it("never puts a secret's value in a function's configuration: only where to read it", () => {
    const functions = Object.values(template.findResources('AWS::Lambda::Function')) as {
      Properties: { Environment?: { Variables: Record<string, unknown> } };
    }[];
    for (const fn of functions) {
      const variables = JSON.stringify(fn.Properties.Environment?.Variables ?? {});
      expect(variables).not.toContain('resolve:secretsmanager');
      expect(variables).not.toMatch(/HUB_(CURSOR|SEARCH)_KEY"/);
    }
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          HUB_CURSOR_KEY_SECRET_ARN: Match.anyValue(),
          HUB_SEARCH_KEY_SECRET_ARN: Match.anyValue(),
        }),
      },
    });
  });

  it('alarms on failures, dead letters, stuck messages and old queue records', () => {
    for (const name of [
      'DeliveryFailed',
      'DeadLettered',
      'EnqueueFailed',
      'MessageRequeued',
      'DeliveryRetried',
      'RequestRefused',
      'Unauthorised',
      'DeadlineEscalated',
      'SweepFailed',
    ]) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: name, Namespace: 'PcnReferralHub' });
    }
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ApproximateAgeOfOldestMessage' });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ApproximateNumberOfMessagesVisible' });
    // Each alarm tells ops once when it starts and once when it clears.
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as {
      Properties: { AlarmActions?: unknown[]; OKActions?: unknown[] };
    }[];
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions).toHaveLength(1);
      expect(alarm.Properties.OKActions).toEqual(alarm.Properties.AlarmActions);
    }
  });

  it('deploys to London unless told otherwise, and refuses a region outside the UK without an explicit override', () => {
    const withContext = (context: Record<string, string>) => new App({ context });
    const before = process.env.CDK_DEFAULT_REGION;
    process.env.CDK_DEFAULT_REGION = 'us-east-1'; // as the CDK CLI sets it
    try {
      expect(deploymentRegion(withContext({}))).toBe('eu-west-2');
      expect(() => deploymentRegion(withContext({ region: 'us-east-1' }))).toThrow(
        /Refusing to deploy patient data to us-east-1/,
      );
      expect(deploymentRegion(withContext({ region: 'eu-west-1', allowNonUkRegion: 'true' }))).toBe('eu-west-1');
    } finally {
      if (before === undefined) delete process.env.CDK_DEFAULT_REGION;
      else process.env.CDK_DEFAULT_REGION = before;
    }
    expect(template.toJSON().Resources).toBeDefined();
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
  });

  it('keeps a delivery claim longer than a worker may run and shorter than SQS hides a record', () => {
    // A redelivered record must find a dead worker's claim stale, or the message waits for the 45-minute sweep.
    expect(DELIVERY_CLAIM_LEASE_SECONDS).toBeGreaterThan(FUNCTIONS.deliver.timeoutSeconds);
    expect(DELIVERY_CLAIM_LEASE_SECONDS).toBeLessThan(DELIVERY_QUEUE.visibilityTimeoutSeconds);
    expect(DELIVERY_QUEUE.maxReceiveCount).toBeGreaterThan(DEFAULT_DELIVERY_POLICY.maxAttempts);
  });

  it('bundles every handler into an ESM file that loads and exports a handler', async () => {
    const bundles = readdirSync(app.outdir).filter(
      (d) => d.startsWith('asset.') && existsSync(join(app.outdir, d, 'index.mjs')),
    );
    expect(bundles).toHaveLength(Object.keys(FUNCTIONS).length);
    Object.assign(process.env, {
      ...Object.fromEntries(TABLES.map((table) => [table.envVar, table.id])),
      HUB_TOKEN_KEY_ID: 'arn:aws:kms:eu-west-2:0:key/k',
      DELIVERY_QUEUE_URL: 'https://sqs.eu-west-2.amazonaws.com/0/q',
      HUB_ODS_CODE: LOCAL_HUB_ODS,
      HUB_CURSOR_KEY_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-2:000000000000:secret:cursor',
      HUB_SEARCH_KEY_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-2:000000000000:secret:search',
      HUB_BASE_URL: 'https://hub.example.org',
      AWS_REGION: 'eu-west-2',
    });
    for (const bundle of bundles) {
      const module = (await import(pathToFileURL(join(app.outdir, bundle, 'index.mjs')).href)) as { handler: unknown };
      expect(typeof module.handler).toBe('function');
    }
  });

  it('outputs what an operator needs after deploying', () => {
    expect(Object.keys(template.findOutputs('*'))).toEqual(
      expect.arrayContaining(['HubUrl', 'DirectoryTableName', 'MessagesTableName', 'AlarmTopicArn']),
    );
  });

  it('runs the sweep on a schedule', () => {
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(5 minutes)' });
  });

  it('serves the web app from a private bucket through CloudFront, with the API on the same HTTPS origin', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: Match.objectLike({ BlockPublicAcls: true, RestrictPublicBuckets: true }),
      LoggingConfiguration: Match.anyValue(),
    });
    template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultCacheBehavior: Match.objectLike({ ViewerProtocolPolicy: 'https-only' }),
        CacheBehaviors: [Match.objectLike({ PathPattern: '/app/*', ViewerProtocolPolicy: 'redirect-to-https' })],
        Logging: Match.anyValue(),
      }),
    });
    template.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: Match.objectLike({
        SecurityHeadersConfig: Match.objectLike({
          StrictTransportSecurity: Match.objectLike({ Override: true }),
          ContentSecurityPolicy: Match.objectLike({
            ContentSecurityPolicy: Match.stringLikeRegexp("default-src 'self'"),
          }),
          FrameOptions: { FrameOption: 'DENY', Override: true },
        }),
      }),
    });
    // The session cookie is turned into the bearer token the JWT authorizer reads, only same-site when it changes.
    const functions = Object.values(template.findResources('AWS::CloudFront::Function')) as {
      Properties: { FunctionCode: string };
    }[];
    expect(functions.some((f) => f.Properties.FunctionCode.includes("'sec-fetch-site'"))).toBe(true);
  });

  it("keeps ops' traffic counters from the Messages stream, setting aside a batch that keeps failing", () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BisectBatchOnFunctionError: true,
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
  });

  it("turns the web app's session cookie into a bearer token at the edge, but never for another site's change", () => {
    type Edge = {
      method: string;
      headers: Record<string, { value: string }>;
      cookies: Record<string, { value: string }>;
    };
    const handler = new Function(`${SESSION_TO_BEARER}; return handler;`)() as (event: { request: Edge }) => Edge;
    const request = (method: string, headers: Record<string, string> = {}, session = 'a.jwt.token'): Edge => ({
      method,
      headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, { value: v }])),
      cookies: session ? { hub_session: { value: session } } : {},
    });
    const bearer = (edge: Edge) => edge.headers.authorization?.value;
    expect(bearer(handler({ request: request('GET') }))).toBe('Bearer a.jwt.token');
    expect(bearer(handler({ request: request('POST', { 'sec-fetch-site': 'same-origin' }) }))).toBe(
      'Bearer a.jwt.token',
    );
    expect(bearer(handler({ request: request('POST', { 'sec-fetch-site': 'cross-site' }) }))).toBeUndefined();
    expect(bearer(handler({ request: request('POST') }))).toBeUndefined();
    expect(bearer(handler({ request: request('GET', { authorization: 'Bearer own' }) }))).toBe('Bearer own');
    expect(bearer(handler({ request: request('GET', {}, '') }))).toBeUndefined();
  });
});
