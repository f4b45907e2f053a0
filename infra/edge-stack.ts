import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import type { Construct } from 'constructs';

/** Requests one address may make in five minutes before the edge refuses it for a while (WAF's rate-based rule). */
export const EDGE_REQUESTS_PER_IP_PER_5_MINUTES = 3000;

/**
 * What the hub's CloudFront distribution needs from us-east-1, the one region CloudFront reads it from: a WAF web ACL
 * (a rate limit per address, and AWS's managed rules for common exploits, known bad inputs and bad reputations).
 * Deploy it first; pass its WebAclArn output to the hub's stack (-c webAclArn=...).
 */
export class PcnReferralHubEdgeStack extends Stack {
  constructor(scope: Construct, id: string, props: StackProps) {
    super(scope, id, props);
    const managed = (priority: number, name: string, exclusions: string[] = []): wafv2.CfnWebACL.RuleProperty => ({
      name,
      priority,
      overrideAction: { none: {} },
      statement: {
        managedRuleGroupStatement: {
          vendorName: 'AWS',
          name,
          // A rule that would refuse the hub's own traffic only counts (it is still seen in the metrics).
          ruleActionOverrides: exclusions.map((rule) => ({ name: rule, actionToUse: { count: {} } })),
        },
      },
      visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: name, sampledRequestsEnabled: true },
    });
    const acl = new wafv2.CfnWebACL(this, 'WebAcl', {
      scope: 'CLOUDFRONT',
      defaultAction: { allow: {} },
      description:
        'PCN Referral Hub: rate limit per address and AWS managed rules, in front of the API and the web app',
      visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: 'PcnReferralHub', sampledRequestsEnabled: true },
      rules: [
        {
          name: 'RatePerAddress',
          priority: 0,
          action: { block: {} },
          statement: { rateBasedStatement: { limit: EDGE_REQUESTS_PER_IP_PER_5_MINUTES, aggregateKeyType: 'IP' } },
          visibilityConfig: {
            cloudWatchMetricsEnabled: true,
            metricName: 'RatePerAddress',
            sampledRequestsEnabled: true,
          },
        },
        managed(1, 'AWSManagedRulesAmazonIpReputationList'),
        // A BaRS referral Bundle is often over the common rule set's 8 KB body limit: the hub holds bodies to 1 MB itself.
        managed(2, 'AWSManagedRulesCommonRuleSet', ['SizeRestrictions_BODY']),
        managed(3, 'AWSManagedRulesKnownBadInputsRuleSet'),
      ],
    });
    // What the web ACL refused and why, without the callers' credentials (tokens and session cookies redacted).
    const key = new kms.Key(this, 'LogsKey', {
      enableKeyRotation: true,
      description: 'PCN Referral Hub edge: the WAF log',
    });
    key.grantEncryptDecrypt(new iam.ServicePrincipal(`logs.${this.region}.amazonaws.com`));
    const log = new logs.LogGroup(this, 'WafLog', {
      logGroupName: 'aws-waf-logs-pcn-referral-hub', // WAF writes only to a group of that prefix
      retention: logs.RetentionDays.ONE_YEAR,
      encryptionKey: key,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    new wafv2.CfnLoggingConfiguration(this, 'WafLogging', {
      resourceArn: acl.attrArn,
      logDestinationConfigs: [log.logGroupArn],
      redactedFields: ['authorization', 'cookie'].map((name) => ({ singleHeader: { Name: name } })),
    });
    new CfnOutput(this, 'WebAclArn', {
      value: acl.attrArn,
      description: "The hub's web ACL: deploy the hub with -c webAclArn=<this>",
    });
  }
}
