import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { DELIVERY_QUEUE, FUNCTIONS } from '../../functions/lib/resources.js';
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
  return { app, hub: Template.fromStack(built.stack), edge: Template.fromStack(built.edge) };
}

describe('the deployed stack, as a security reviewer reads it', () => {
  let plain: ReturnType<typeof synth>;
  let forReal: ReturnType<typeof synth>;
  beforeAll(() => {
    plain = synth();
    forReal = synth({ domainName: 'hub.example.nhs.uk', certificateArn: CERTIFICATE, webAclArn: WEB_ACL });
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
    const secrets = plain.hub.findResources('AWS::SecretsManager::Secret');
    expect(Object.keys(secrets)).toHaveLength(2);
    for (const secret of Object.values(secrets) as { DeletionPolicy?: string; UpdateReplacePolicy?: string }[]) {
      expect(secret.DeletionPolicy).toBe('Retain');
      expect(secret.UpdateReplacePolicy).toBe('Retain');
    }
  });

  it('reserves concurrency for every queue and stream consumer', () => {
    const reserved = Object.entries(FUNCTIONS).filter(([, f]) => f.reservedConcurrency);
    expect(reserved.map(([name]) => name).sort()).toEqual(['deadLetter', 'deliver', 'traffic']);
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
