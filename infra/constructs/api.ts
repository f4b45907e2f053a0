import { RemovalPolicy } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpApi, HttpStage, type ThrottleSettings } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { type HandlerName, ROUTES } from '../../functions/lib/resources.js';

/** Steady requests per second the API accepts before answering 429 (a PCN sends a few per minute). */
const THROTTLE_RATE_LIMIT = 50;
/** Burst allowance above the steady rate. */
const THROTTLE_BURST_LIMIT = 100;

/**
 * The HTTP API: every route from functions/lib/resources.ts, IAM-authorised (callers sign with SigV4) until the
 * signed-JWT system authentication lands, with access logs and throttling.
 */
export class HubApi extends Construct {
  readonly httpApi: HttpApi;

  constructor(scope: Construct, id: string, props: { key: kms.IKey }) {
    super(scope, id);
    this.httpApi = new HttpApi(this, 'Http', { createDefaultStage: false, defaultAuthorizer: new HttpIamAuthorizer() });
    const accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: logs.RetentionDays.ONE_YEAR,
      encryptionKey: props.key,
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
        time: '$context.requestTime',
      }),
    };
  }

  /** Adds every route, one Lambda integration per handler. */
  addRoutes(functions: Record<HandlerName, NodejsFunction>): void {
    const integrations = new Map<HandlerName, HttpLambdaIntegration>();
    for (const route of ROUTES) {
      const { handler } = route;
      let integration = integrations.get(handler);
      if (!integration) {
        integration = new HttpLambdaIntegration(`${handler}Integration`, functions[handler]);
        integrations.set(handler, integration);
      }
      this.httpApi.addRoutes({ path: route.path, methods: [route.method as apigw.HttpMethod], integration });
    }
  }

  get url(): string {
    return this.httpApi.apiEndpoint;
  }
}
