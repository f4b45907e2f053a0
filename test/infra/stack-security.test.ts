import { App, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ORIGIN_HEADER } from '../../functions/lib/edge-guard.js';
import { ENV } from '../../functions/lib/environment.js';
import { FUNCTIONS } from '../../functions/lib/lambdas.js';
import { DELIVERY_QUEUE } from '../../functions/lib/storage.js';
import { buildApp } from '../../infra/app.js';
import { EDGE_REQUESTS_PER_IP_PER_5_MINUTES } from '../../infra/edge-stack.js';

/** The deployed stack as a security reviewer reads it: what reaches people, what an attacker meets, what is kept. */

const CERTIFICATE = 'arn:aws:acm:us-east-1:111111111111:certificate/hub';
const WEB_ACL = 'arn:aws:wafv2:us-east-1:111111111111:global/webacl/hub/1';

function synth(context: Record<string, string> = {}) {
  const app = new App({
    outdir: `${process.env.TMPDIR ?? '/tmp'}/hub-cdk-security-${process.pid}-${Math.random()}`,
    context,
  });
  const built = buildApp(app);
  return { app, stack: built.stack, hub: Template.fromStack(built.stack), edge: Template.fromStack(built.edge) };
}

describe('the deployed stack, as a security reviewer reads it', () => {
  let plain: ReturnType<typeof synth>;
  let forReal: ReturnType<typeof synth>;
  beforeAll(() => {
    plain = synth();
    forReal = synth({
      domainName: 'hub.example.nhs.uk',
      certificateArn: CERTIFICATE,
      webAclArn: WEB_ACL,
      mailFrom: 'referral-hub@example.nhs.uk',
    });
  }, 240_000);

  it('lets CloudWatch alarms of this account publish to the alarm topic, and requires someone to tell', () => {
    plain.hub.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Condition: Match.objectLike({ StringEquals: { 'aws:SourceAccount': Match.anyValue() } }),
          }),
        ]),
      },
    });
    // CloudFormation refuses to deploy without an address: the parameter has no default unless one is given.
    const parameter = plain.hub.toJSON().Parameters.AlarmEmail;
    expect(parameter).toMatchObject({ Type: 'String', AllowedPattern: expect.any(String) });
    expect(parameter.Default).toBeUndefined();
    plain.hub.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: { Ref: 'AlarmEmail' } });
  });

  it('serves its own domain over TLS 1.2 at least, behind the WAF web ACL, when deployed for real', () => {
    forReal.hub.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        Aliases: ['hub.example.nhs.uk'],
        ViewerCertificate: Match.objectLike({
          AcmCertificateArn: CERTIFICATE,
          MinimumProtocolVersion: 'TLSv1.2_2021',
          SslSupportMethod: 'sni-only',
        }),
        WebACLId: WEB_ACL,
      }),
    });
    // cdk-nag finds nothing left to acknowledge about TLS or WAF when both are given.
    expect(() => forReal.app.synth({ force: true })).not.toThrow();
  });

  it('refuses a certificate CloudFront cannot use, or a domain without one', () => {
    expect(() => synth({ domainName: 'hub.example.nhs.uk' })).toThrow(/go together/);
    expect(() =>
      synth({ domainName: 'hub.example.nhs.uk', certificateArn: 'arn:aws:acm:eu-west-2:111111111111:certificate/x' }),
    ).toThrow(/us-east-1/);
  });

  it('has a web ACL at the edge: a rate limit per address and the managed rules, logged without credentials', () => {
    forReal.edge.hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'CLOUDFRONT',
      Rules: Match.arrayWith([
        Match.objectLike({
          Action: { Block: {} },
          Statement: { RateBasedStatement: { Limit: EDGE_REQUESTS_PER_IP_PER_5_MINUTES, AggregateKeyType: 'IP' } },
        }),
        Match.objectLike({
          Statement: {
            ManagedRuleGroupStatement: Match.objectLike({
              Name: 'AWSManagedRulesCommonRuleSet',
              // A BaRS Bundle is often over 8 KB: that rule counts, it does not block.
              RuleActionOverrides: [{ Name: 'SizeRestrictions_BODY', ActionToUse: { Count: {} } }],
            }),
          },
        }),
        Match.objectLike({
          Statement: { ManagedRuleGroupStatement: Match.objectLike({ Name: 'AWSManagedRulesKnownBadInputsRuleSet' }) },
        }),
      ]),
    });
    forReal.edge.hasResourceProperties('AWS::WAFv2::LoggingConfiguration', {
      RedactedFields: [{ SingleHeader: { Name: 'authorization' } }, { SingleHeader: { Name: 'cookie' } }],
    });
  });

  it('hides a delivery at least 6x its worker may run, and gives the dead-letter queue its own redrive', () => {
    expect(DELIVERY_QUEUE.visibilityTimeoutSeconds).toBeGreaterThanOrEqual(6 * FUNCTIONS.deliver.timeoutSeconds);
    expect(DELIVERY_QUEUE.deadLetterVisibilityTimeoutSeconds).toBeGreaterThanOrEqual(
      6 * FUNCTIONS.deadLetter.timeoutSeconds,
    );
    plain.hub.hasResourceProperties('AWS::SQS::Queue', {
      VisibilityTimeout: DELIVERY_QUEUE.deadLetterVisibilityTimeoutSeconds,
      RedrivePolicy: {
        maxReceiveCount: DELIVERY_QUEUE.deadLetterMaxReceiveCount,
        deadLetterTargetArn: Match.anyValue(),
      },
    });
  });

  it('keeps the search and cursor secrets with the tables', () => {
    const secrets = Object.fromEntries(
      Object.entries(plain.hub.findResources('AWS::SecretsManager::Secret')).filter(([id]) =>
        /CursorKey|SearchKey/.test(id),
      ),
    );
    expect(Object.keys(secrets)).toHaveLength(2);
    for (const secret of Object.values(secrets) as { DeletionPolicy?: string; UpdateReplacePolicy?: string }[]) {
      expect(secret.DeletionPolicy).toBe('Retain');
      expect(secret.UpdateReplacePolicy).toBe('Retain');
    }
  });

  it('reserves concurrency for every queue and stream consumer, and runs one sweep of each kind at a time', () => {
    const reserved = Object.entries(FUNCTIONS).filter(([, f]) => f.reservedConcurrency);
    expect(reserved.map(([name]) => name).sort()).toEqual(['deadLetter', 'deadlines', 'deliver', 'sweep', 'traffic']);
    expect(FUNCTIONS.sweep.reservedConcurrency).toBe(1);
    expect(FUNCTIONS.deadlines.reservedConcurrency).toBe(1);
    for (const [, f] of reserved)
      plain.hub.hasResourceProperties('AWS::Lambda::Function', {
        Description: f.description,
        ReservedConcurrentExecutions: f.reservedConcurrency,
      });
  });

  it('alarms when the traffic stream falls behind, a schedule cannot run, or a dead letter is parked', () => {
    for (const metric of ['IteratorAge', 'ApproximateNumberOfMessagesVisible'])
      plain.hub.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: metric });
    const alarms = Object.keys(plain.hub.findResources('AWS::CloudWatch::Alarm'));
    for (const name of ['ParkedNotEmpty', 'ScheduleFailed', 'TrafficStreamBehind'])
      expect(
        alarms.some((id) => id.includes(name)),
        name,
      ).toBe(true);
    // Both schedules hand an invocation they could not make to a queue (alarmed on above).
    const rules = Object.values(plain.hub.findResources('AWS::Events::Rule')) as {
      Properties: { Targets: { DeadLetterConfig?: unknown }[] };
    }[];
    expect(rules.length).toBeGreaterThanOrEqual(2);
    for (const rule of rules) expect(rule.Properties.Targets[0]!.DeadLetterConfig).toBeDefined();
    // And a run that fails after Lambda's own retries joins them there.
    for (const name of ['sweep', 'deadlines'] as const)
      plain.hub.hasResourceProperties('AWS::Lambda::Function', {
        Description: FUNCTIONS[name].description,
        DeadLetterConfig: { TargetArn: Match.anyValue() },
      });
  });

  it('says, for every alarm, what no data means; only the heartbeat counts silence as trouble', () => {
    const alarms = Object.entries(plain.hub.findResources('AWS::CloudWatch::Alarm')) as [
      string,
      { Properties: { TreatMissingData?: string; ComparisonOperator: string; EvaluationPeriods: number } },
    ][];
    for (const [id, alarm] of alarms) expect(alarm.Properties.TreatMissingData, id).toBeDefined();
    const breaching = alarms.filter(([, alarm]) => alarm.Properties.TreatMissingData === 'breaching');
    expect(breaching.map(([id]) => id)).toEqual([expect.stringContaining('NoReferralsInBusinessHours')]);
    expect(breaching[0]![1].Properties).toMatchObject({
      ComparisonOperator: 'LessThanThreshold',
      EvaluationPeriods: 2,
    });
  });

  it('switches the heartbeat on and off with business hours in London, with a role for that alarm only', () => {
    const schedules = Object.values(plain.hub.findResources('AWS::Scheduler::Schedule')) as {
      Properties: { ScheduleExpression: string; ScheduleExpressionTimezone: string; Target: { Arn: string } };
    }[];
    const calls = schedules.map((s) => [
      s.Properties.ScheduleExpression,
      JSON.stringify(s.Properties.Target.Arn).match(/aws-sdk:cloudwatch:(\w+)/)?.[1],
    ]);
    expect(calls.sort()).toEqual([
      ['cron(0 18 ? * MON-FRI *)', 'disableAlarmActions'],
      ['cron(0 8 ? * MON-FRI *)', 'enableAlarmActions'],
    ]);
    for (const schedule of schedules) expect(schedule.Properties.ScheduleExpressionTimezone).toBe('Europe/London');
    plain.hub.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: [
          Match.objectLike({ Action: 'cloudwatch:EnableAlarmActions', Resource: Match.anyValue() }),
          Match.objectLike({ Action: 'cloudwatch:DisableAlarmActions', Resource: Match.anyValue() }),
        ],
      },
    });
  });

  it('alarms when DynamoDB throttles any table', () => {
    const alarms = Object.keys(plain.hub.findResources('AWS::CloudWatch::Alarm'));
    for (const table of ['Messages', 'Directory', 'Identity', 'Operations'])
      expect(
        alarms.some((id) => id.includes(`${table}TableThrottled`)),
        table,
      ).toBe(true);
  });

  it('keeps patient data and logs under different keys; AWS services may use the logs key for this account only', () => {
    const keys = plain.hub.findResources('AWS::KMS::Key');
    const keyOf = (logicalIdPart: string) => {
      const found = Object.keys(keys).filter((id) => id.includes(logicalIdPart));
      expect(found, logicalIdPart).toHaveLength(1);
      return found[0]!;
    };
    const patientData = keyOf('KeysPatientData');
    const operations = keyOf('KeysOperations');
    const arnOf = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });
    const tables = Object.values(plain.hub.findResources('AWS::DynamoDB::GlobalTable')) as {
      Properties: { SSESpecification: unknown; Replicas: { SSESpecification: { KMSMasterKeyId: unknown } }[] };
    }[];
    for (const table of tables)
      expect(table.Properties.Replicas[0]!.SSESpecification.KMSMasterKeyId).toEqual(arnOf(patientData));
    const logGroups = Object.values(plain.hub.findResources('AWS::Logs::LogGroup')) as {
      Properties: { KmsKeyId: unknown };
    }[];
    expect(logGroups.length).toBeGreaterThan(0);
    for (const group of logGroups) expect(group.Properties.KmsKeyId).toEqual(arnOf(operations));
    plain.hub.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: arnOf(operations) });
    // Nothing but the hub's account (its IAM policies) and its functions may use the patient-data key.
    const patientPolicy = (
      keys[patientData] as { Properties: { KeyPolicy: { Statement: { Principal: Record<string, unknown> }[] } } }
    ).Properties.KeyPolicy.Statement;
    expect(patientPolicy.filter((s) => 'Service' in s.Principal)).toEqual([]);
    const operationsPolicy = (
      keys[operations] as {
        Properties: { KeyPolicy: { Statement: { Principal: { Service?: string }; Condition?: unknown }[] } };
      }
    ).Properties.KeyPolicy.Statement;
    const forService = (service: string) => operationsPolicy.find((s) => String(s.Principal.Service).includes(service));
    const logsCondition = JSON.stringify(forService('logs.')!.Condition);
    expect(logsCondition).toContain('kms:EncryptionContext:aws:logs:arn');
    expect(logsCondition).toMatch(/:logs:eu-west-2:.*AWS::AccountId.*:log-group:\*/);
    for (const service of ['cloudwatch.amazonaws.com', 'events.amazonaws.com'])
      expect(forService(service)!.Condition, service).toEqual({
        StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
      });
  });

  it("encrypts CloudFront's access logs (every request's path and query) with the logs key", () => {
    const operations = Object.keys(plain.hub.findResources('AWS::KMS::Key')).find((id) => id.includes('Operations'))!;
    const distribution = Object.values(plain.hub.findResources('AWS::CloudFront::Distribution'))[0] as {
      Properties: { DistributionConfig: { Logging: { Bucket: { 'Fn::GetAtt': [string, string] } } } };
    };
    const logBucket = distribution.Properties.DistributionConfig.Logging.Bucket['Fn::GetAtt'][0];
    expect(plain.hub.toJSON().Resources[logBucket].Properties.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [
        {
          BucketKeyEnabled: true,
          ServerSideEncryptionByDefault: {
            SSEAlgorithm: 'aws:kms',
            KMSMasterKeyID: { 'Fn::GetAtt': [operations, 'Arn'] },
          },
        },
      ],
    });
  });

  it('backs the tables up into a locked vault under the patient-data key', () => {
    const patientData = Object.keys(plain.hub.findResources('AWS::KMS::Key')).find((id) => id.includes('PatientData'))!;
    plain.hub.hasResourceProperties('AWS::Backup::BackupVault', {
      EncryptionKeyArn: { 'Fn::GetAtt': [patientData, 'Arn'] },
      LockConfiguration: { MinRetentionDays: 35, ChangeableForDays: 3 },
    });
  });

  it('acknowledges cdk-nag findings on the constructs they concern, never for the whole stack or app', () => {
    const acknowledgedAt = (node: { node: { metadata: { type: string }[] } }) =>
      node.node.metadata.filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY);
    const { app, stack } = plain;
    expect(acknowledgedAt(app)).toEqual([]);
    expect(acknowledgedAt(stack)).toEqual([]);
    expect(acknowledgedAt(stack.node.findChild('Functions') as never).length).toBeGreaterThan(0);
  });

  it('expires old versions of the access logs too', () => {
    plain.hub.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: [
          Match.objectLike({ NoncurrentVersionExpiration: Match.objectLike({ NoncurrentDays: Match.anyValue() }) }),
        ],
      },
    });
  });

  it('limits the Cognito client to the code flow the hub uses, with the shortest refresh token', () => {
    plain.hub.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      AllowedOAuthFlows: ['code'],
      ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH'],
      RefreshTokenValidity: 60,
      TokenValidityUnits: Match.objectLike({ RefreshToken: 'minutes' }),
    });
  });

  it('sends the API, from CloudFront only, a secret the API functions require (so the API cannot be reached round it)', () => {
    const secret = Object.keys(plain.hub.findResources('AWS::SecretsManager::Secret')).find((id) =>
      id.includes('OriginSecret'),
    )!;
    const distribution = Object.values(plain.hub.findResources('AWS::CloudFront::Distribution'))[0] as {
      Properties: {
        DistributionConfig: { Origins: { OriginCustomHeaders?: { HeaderName: string; HeaderValue: unknown }[] }[] };
      };
    };
    const headers = distribution.Properties.DistributionConfig.Origins.flatMap((o) => o.OriginCustomHeaders ?? []);
    expect(headers.map((h) => h.HeaderName)).toEqual([ORIGIN_HEADER]);
    expect(JSON.stringify(headers[0]!.HeaderValue)).toContain(`resolve:secretsmanager:`);
    expect(JSON.stringify(headers[0]!.HeaderValue)).toContain(secret);
    const apiFunctions = Object.values(FUNCTIONS).filter((f) => f.invokedBy === 'api');
    expect(apiFunctions.length).toBe(6);
    for (const f of apiFunctions)
      plain.hub.hasResourceProperties('AWS::Lambda::Function', {
        Description: f.description,
        Environment: { Variables: Match.objectLike({ [ENV.originSecret]: { Ref: secret } }) },
      });
  });

  it("emails teams through SES from the deployment's own address, and only the functions that send may", () => {
    expect(plain.hub.findResources('AWS::SES::EmailIdentity')).toEqual({});
    forReal.hub.hasResourceProperties('AWS::SES::EmailIdentity', { EmailIdentity: 'referral-hub@example.nhs.uk' });
    const policies = Object.entries(forReal.hub.findResources('AWS::IAM::Policy')) as [
      string,
      { Properties: { PolicyDocument: { Statement: { Action: string | string[] }[] } } },
    ][];
    const sending = policies
      .filter(([, p]) => p.Properties.PolicyDocument.Statement.some((s) => [s.Action].flat().includes('ses:SendEmail')))
      .map(([id]) => id.replace(/ServiceRole.*$/, ''));
    expect(sending.sort()).toEqual(['Functionsdeadlines', 'Functionsdeliver']);
    forReal.hub.hasResourceProperties('AWS::Lambda::Function', {
      Description: FUNCTIONS.deliver.description,
      Environment: { Variables: Match.objectLike({ [ENV.mailFrom]: 'referral-hub@example.nhs.uk' }) },
    });
  });

  it("writes why a request failed into the API's access log (never a header or a body)", () => {
    const stage = Object.values(plain.hub.findResources('AWS::ApiGatewayV2::Stage'))[0] as {
      Properties: { AccessLogSettings: { Format: string } };
    };
    const format = JSON.parse(stage.Properties.AccessLogSettings.Format);
    expect(Object.keys(format)).toEqual(
      expect.arrayContaining(['error', 'errorType', 'authorizerError', 'integrationError']),
    );
    expect(JSON.stringify(format)).not.toMatch(/header|body/i);
  });
});
