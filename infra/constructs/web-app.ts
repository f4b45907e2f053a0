import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { DockerImage, Duration, Fn, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { SESSION_COOKIE } from '../../core/identity/sign-in.js';
import { ORIGIN_HEADER } from '../../functions/lib/edge-guard.js';
import { WEB_APP_PATH, WEB_SECURITY_HEADERS } from '../../functions/lib/web-security.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
/** How long CloudFront and S3 access logs are kept. */
const ACCESS_LOG_DAYS = 365;
/** How long browsers are told to use only HTTPS for the hub's address (HSTS). */
const HSTS_DAYS = 730;

/**
 * Builds the web app (Vite) into the asset at synth: `npx cdk synth` and `deploy` need nothing built beforehand, and
 * the asset's hash follows the app's sources.
 */
const webAppSource = s3deploy.Source.asset(join(ROOT, 'web'), {
  exclude: ['dist', 'node_modules'],
  bundling: {
    image: DockerImage.fromRegistry('no-docker-needed'), // never used: the local build below always succeeds or throws
    local: {
      tryBundle(outputDir) {
        const vite = join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
        execFileSync(
          process.execPath,
          [vite, 'build', '--config', join(ROOT, 'web', 'vite.config.ts'), '--outDir', outputDir, '--emptyOutDir'],
          // Quiet unless it fails (the error then carries Vite's own output).
          { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] },
        );
        return true;
      },
    },
  },
});

/**
 * At the edge, for the API: the web app's session cookie becomes the bearer token API Gateway's JWT authorizer reads
 * (people's browsers never see the token). Only for a same-site request when it changes something, so another site
 * cannot make a signed-in browser act (the cookie is SameSite too); a request with its own Authorization is left alone.
 */
export const SESSION_TO_BEARER = `
function handler(event) {
  var request = event.request;
  var session = request.cookies['${SESSION_COOKIE}'];
  if (!session || request.headers.authorization) return request;
  var safe = request.method === 'GET' || request.method === 'HEAD';
  var site = request.headers['sec-fetch-site'];
  if (!safe && !(site && site.value === 'same-origin')) return request;
  request.headers.authorization = { value: 'Bearer ' + session.value };
  return request;
}`;

/** The app's own paths (/app/inbox, /app/messages/...) are its one page; files (with a dot) are themselves. */
const APP_PAGE = `
function handler(event) {
  var request = event.request;
  var last = request.uri.split('/').pop();
  if (last.indexOf('.') === -1) request.uri = '${WEB_APP_PATH}/index.html';
  return request;
}`;

/**
 * The hub's public address: CloudFront in front of both the API (the default behaviour, never cached) and the web
 * app (/app/*, from a private S3 bucket through origin access control), so the app calls the API on its own origin
 * and its session cookie needs no CORS. HTTPS only, security headers on every answer, access logs kept.
 */
export interface HubWebAppProps {
  api: HttpApi;
  /**
   * The hub's own domain and its certificate (ACM, in us-east-1, as CloudFront requires): the way to deploy for real,
   * with TLS 1.2 (TLSv1.2_2021) as the least a browser may use. Without one, the cloudfront.net name and its default
   * certificate, which lets CloudFront accept TLS 1.0: for trying the stack only.
   */
  domain?: { name: string; certificateArn: string };
  /** The key the CloudFront access logs are encrypted with (they hold every request's path and query). */
  logKey: kms.IKey;
  /** A WAF web ACL for CloudFront (scope CLOUDFRONT, made in us-east-1: the Edge stack makes one). */
  webAclArn?: string;
}

export class HubWebApp extends Construct {
  readonly distribution: cloudfront.Distribution;
  readonly url: string;
  /** What CloudFront tells the API with every request: the API functions refuse a request without it. */
  readonly originSecret: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: HubWebAppProps) {
    super(scope, id);
    const { logs, site } = this.buckets(props);
    this.originSecret = this.makeOriginSecret(props);
    this.distribution = this.makeDistribution(props, logs, site);
    this.deployApp(site);
    this.url = `https://${props.domain?.name ?? this.distribution.distributionDomainName}`;
  }

  /** The app's bucket, and the access logs' (CloudFront's under the operations key; the site bucket's own). */
  private buckets(props: HubWebAppProps): { logs: s3.Bucket; site: s3.Bucket } {
    const logBucket = (name: string, encryption: Pick<s3.BucketProps, 'encryption' | 'encryptionKey'>) =>
      new s3.Bucket(this, name, {
        ...encryption,
        blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
        enforceSSL: true,
        versioned: true,
        lifecycleRules: [
          { expiration: Duration.days(ACCESS_LOG_DAYS), noncurrentVersionExpiration: Duration.days(ACCESS_LOG_DAYS) },
        ],
        removalPolicy: RemovalPolicy.RETAIN,
        // CloudFront's standard logs are written with an ACL.
        objectOwnership: s3.ObjectOwnership.OBJECT_WRITER,
      });
    // Every request to the API (its paths and query strings): encrypted with the hub's operations key.
    const logs = logBucket('AccessLogs', { encryption: s3.BucketEncryption.KMS, encryptionKey: props.logKey });
    (logs.node.defaultChild as s3.CfnBucket).addPropertyOverride(
      'BucketEncryption.ServerSideEncryptionConfiguration.0.BucketKeyEnabled',
      true,
    );
    // The site bucket's own access logs (who fetched which of the app's static files): S3 writes server access logs
    // only to a bucket with S3-managed keys.
    const siteLogs = logBucket('SiteAccessLogs', { encryption: s3.BucketEncryption.S3_MANAGED });
    for (const bucket of [logs, siteLogs])
      Validations.of(bucket).acknowledge(
        { id: 'AwsSolutions-S1', reason: 'It is an access log bucket itself; logging it into itself would loop.' },
        { id: 'HIPAA.Security-S3BucketLoggingEnabled', reason: 'It is an access log bucket itself.' },
        {
          id: 'HIPAA.Security-S3BucketReplicationEnabled',
          reason: 'Access logs: versioned, retained with the stack and expired after a year, not replicated.',
        },
      );
    Validations.of(siteLogs).acknowledge({
      id: 'HIPAA.Security-S3DefaultEncryptionKMS',
      reason:
        'S3 server access logging cannot deliver to a bucket encrypted with KMS; these logs name static files only.',
    });
    const site = new s3.Bucket(this, 'Site', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      serverAccessLogsBucket: siteLogs,
      serverAccessLogsPrefix: 'site/',
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: false,
    });
    Validations.of(site).acknowledge(
      {
        id: 'HIPAA.Security-S3BucketReplicationEnabled',
        reason: "The web app's built files, rebuilt from source on every deploy: nothing to replicate.",
      },
      {
        id: 'HIPAA.Security-S3DefaultEncryptionKMS',
        reason: 'Public static files (no patient data), encrypted with S3-managed keys; CloudFront reads them by OAC.',
      },
    );
    return { logs, site };
  }

  /**
   * The API's address stays reachable (an HTTP API cannot switch it off without its own custom domain), so CloudFront
   * proves itself with a secret header the API functions check: nobody reaches the API round the web ACL.
   */
  private makeOriginSecret(props: HubWebAppProps): secretsmanager.Secret {
    const secret = new secretsmanager.Secret(this, 'OriginSecret', {
      description: 'CloudFront sends it to the API with every request (the x-hub-origin header)',
      encryptionKey: props.logKey,
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
    });
    Validations.of(secret).acknowledge(
      ...['AwsSolutions-SMG4', 'HIPAA.Security-SecretsManagerRotationEnabled'].map((id) => ({
        id,
        reason:
          'CloudFront reads it when deployed; it is replaced with the stack (a new value reaches CloudFront and the functions together), not rotated in place.',
      })),
    );
    return secret;
  }

  /** One HTTPS origin: the API by default (never cached), the app's files under the app's path. */
  private makeDistribution(props: HubWebAppProps, logs: s3.Bucket, site: s3.Bucket): cloudfront.Distribution {
    const securityHeaders = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          contentSecurityPolicy: WEB_SECURITY_HEADERS['content-security-policy'],
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.SAME_ORIGIN, override: true },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(HSTS_DAYS),
          includeSubdomains: true,
          override: true,
        },
      },
    });
    const viewerRequest = (name: string, code: string) => [
      {
        eventType: cloudfront.FunctionEventType.VIEWER_REQUEST,
        function: new cloudfront.Function(this, name, {
          code: cloudfront.FunctionCode.fromInline(code),
          runtime: cloudfront.FunctionRuntime.JS_2_0,
        }),
      },
    ];
    // The API's host name: its endpoint is https://{id}.execute-api.{region}.amazonaws.com.
    const apiHost = Fn.select(2, Fn.split('/', props.api.apiEndpoint));
    const distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'PCN Referral Hub: the API and the web app on one HTTPS origin',
      defaultBehavior: {
        origin: new origins.HttpOrigin(apiHost, {
          protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
          customHeaders: { [ORIGIN_HEADER]: this.originSecret.secretValue.unsafeUnwrap() },
        }),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
        // Every API answer is someone's own: never cached; every header but Host (API Gateway needs its own) passed on.
        cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
        originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
        responseHeadersPolicy: securityHeaders,
        functionAssociations: viewerRequest('SessionToBearer', SESSION_TO_BEARER),
      },
      additionalBehaviors: {
        [`${WEB_APP_PATH}/*`]: {
          origin: origins.S3BucketOrigin.withOriginAccessControl(site),
          viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
          cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
          responseHeadersPolicy: securityHeaders,
          functionAssociations: viewerRequest('AppPage', APP_PAGE),
        },
      },
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      ...(props.domain
        ? {
            domainNames: [props.domain.name],
            certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', props.domain.certificateArn),
            minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
          }
        : {}),
      ...(props.webAclArn ? { webAclId: props.webAclArn } : {}),
      enableLogging: true,
      logBucket: logs,
      logFilePrefix: 'cloudfront/',
    });
    Validations.of(distribution).acknowledge({
      id: 'AwsSolutions-CFR1',
      reason:
        'Practices, teams and receivers call from anywhere their systems are hosted; access is by token, not by country.',
    });
    if (!props.webAclArn)
      Validations.of(distribution).acknowledge({
        id: 'AwsSolutions-CFR2',
        reason:
          'Deployed without -c webAclArn (the Edge stack makes the web ACL): the API still throttles per stage and per client. Deploy for real with one.',
      });
    if (!props.domain)
      Validations.of(distribution).acknowledge({
        id: 'AwsSolutions-CFR4',
        reason:
          'Deployed without -c domainName/-c certificateArn: the cloudfront.net default certificate allows TLS 1.0. Deploy for real with a domain (TLS 1.2 minimum).',
      });
    return distribution;
  }

  /** The built app copied into the site bucket on deploy (and the edge caches refreshed), by CDK's handler. */
  private deployApp(site: s3.Bucket): void {
    new s3deploy.BucketDeployment(this, 'Deploy', {
      sources: [webAppSource],
      destinationBucket: site,
      destinationKeyPrefix: `${WEB_APP_PATH.slice(1)}/`,
      distribution: this.distribution,
      distributionPaths: [`${WEB_APP_PATH}/*`],
      memoryLimit: 512,
    });
    // CDK's deployment handler (one per stack) copies the built app from the CDK asset bucket into the site bucket.
    const copier =
      'CDK BucketDeployment custom resource: its own grants, on the CDK asset bucket and the site bucket only';
    const handler = Stack.of(this).node.children.find((c) => c.node.id.startsWith('Custom::CDKBucketDeployment'));
    if (!handler) throw new Error("CDK's bucket deployment handler was not found to acknowledge its grants");
    Validations.of(handler).acknowledge(
      ...['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:DeleteObject*', 's3:Abort*'].map((action) => ({
        id: `AwsSolutions::AwsSolutions-IAM5[Action::${action}]`,
        reason: copier,
      })),
      {
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-${Stack.of(this).region}/*]`,
        reason: copier,
      },
      {
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(site.node.defaultChild as s3.CfnBucket)}.Arn>/*]`,
        reason: copier,
      },
      {
        id: 'AwsSolutions::AwsSolutions-L1',
        reason: `${copier}; its runtime is set by aws-cdk-lib and moves with it.`,
      },
      {
        id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
        reason:
          "CDK's BucketDeployment grants cloudfront:CreateInvalidation/GetInvalidation on * (it does not narrow them to the distribution); used once per deploy to refresh the app's files at the edge.",
      },
      {
        id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: `${copier}: the basic execution policy only lets it write its own logs.`,
      },
      { id: 'HIPAA.Security::HIPAA.Security-IAMNoInlinePolicy', reason: `${copier}, generated by CDK.` },
      ...['LambdaConcurrency', 'LambdaDLQ', 'LambdaInsideVPC'].map((rule) => ({
        id: `HIPAA.Security::HIPAA.Security-${rule}`,
        reason: `${copier}: CloudFormation invokes it once per deploy and waits for its answer; it reaches only S3 and CloudFront.`,
      })),
    );
  }
}
