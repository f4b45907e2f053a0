import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpApi, HttpNoneAuthorizer, HttpStage, type ThrottleSettings } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { type HandlerName, ROUTES } from '../../core/api/routes.js';

/** Steady requests per second the API accepts before answering 429 (a PCN sends a few per minute). */
const THROTTLE_RATE_LIMIT = 50;
/** Burst allowance above the steady rate. */
const THROTTLE_BURST_LIMIT = 100;

/**
 * The HTTP API: every route from core/api/routes.ts, with access logs and throttling. Every route but the
 * public ones (metadata, the token endpoint and its keys) sits behind a JWT authorizer on the hub's own issuer: a
 * request without a valid hub access token is refused before any function runs. The functions check the token
 * again (roles, organisation, per-client rate), so nothing relies on the gateway alone.
 */
export class HubApi extends Construct {
  readonly httpApi: HttpApi;

  constructor(scope: Construct, id: string, props: { logKey: kms.IKey }) {
    super(scope, id);
    this.httpApi = new HttpApi(this, 'Http', { createDefaultStage: false });
    const accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: logs.RetentionDays.ONE_YEAR,
      encryptionKey: props.logKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: THROTTLE_RATE_LIMIT, burstLimit: THROTTLE_BURST_LIMIT } satisfies ThrottleSettings,
    });
    const cfnStage = stage.node.defaultChild as apigw.CfnStage;
    cfnStage.accessLogSettings = {
      destinationArn: accessLogs.logGroupArn,
      // Ids, route and status only: no headers, no bodies (patient data never reaches the access log).
      format: JSON.stringify({
        requestId: '$context.requestId',
        routeKey: '$context.routeKey',
        status: '$context.status',
        latency: '$context.integrationLatency',
        ip: '$context.identity.sourceIp',
        // Who called: the token's client or user id and organisation (never the patient).
        caller: '$context.authorizer.claims.sub',
        organisation: '$context.authorizer.claims.organisation',
        time: '$context.requestTime',
        // Why a request failed before or at the hub's code (the authorizer's refusal, an integration error).
        error: '$context.error.message',
        errorType: '$context.error.responseType',
        authorizerError: '$context.authorizer.error',
        integrationError: '$context.integrationErrorMessage',
      }),
    };
  }

  /**
   * Adds every route, one Lambda integration per handler. `issuer` is the hub's public address: the hub is its own
   * token issuer, and API Gateway reads its discovery document and key set from there.
   */
  addRoutes(functions: Record<HandlerName, NodejsFunction>, issuer: string): void {
    const tokenAuthorizer = new HttpJwtAuthorizer('HubTokens', issuer, { jwtAudience: [issuer] });
    const integrations = new Map<HandlerName, HttpLambdaIntegration>();
    for (const route of ROUTES) {
      const { handler } = route;
      let integration = integrations.get(handler);
      if (!integration) {
        integration = new HttpLambdaIntegration(`${handler}Integration`, functions[handler]);
        integrations.set(handler, integration);
      }
      const isPublic = route.access === 'public';
      const added = this.httpApi.addRoutes({
        path: route.path,
        methods: [route.method as apigw.HttpMethod],
        integration,
        authorizer: isPublic ? new HttpNoneAuthorizer() : tokenAuthorizer,
      });
      if (isPublic)
        for (const r of added)
          Validations.of(r).acknowledge({
            id: 'AwsSolutions-APIG4',
            reason:
              'Public by design: the CapabilityStatement, and the token endpoint and its keys (a caller has no token before it calls them; the token endpoint authenticates the client by its signed assertion).',
          });
    }
  }
}
