import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { HubApi } from './constructs/api.js';
import { HubFunctions } from './constructs/functions.js';
import { HubKeys } from './constructs/keys.js';
import { HubMonitoring } from './constructs/monitoring.js';
import { HubQueues } from './constructs/queues.js';
import { type ExternalOidcProvider, HubIdentity } from './constructs/sign-in-pool.js';
import { HubTables } from './constructs/tables.js';
import { HubTeamEmails } from './constructs/team-emails.js';
import { HubWebApp } from './constructs/web-app.js';

export interface HubStackProps extends StackProps {
  /** ODS code the hub signs its own messages with (e.g. the PCN's or the host organisation's). */
  hubOdsCode: string;
  /** Comma-separated ODS codes of organisations whose callers are hub ops staff. */
  opsOrganisations: string;
  /** Where alarms are emailed (subscribe further endpoints to the AlarmTopicArn output). */
  alarmEmail?: string;
  /** People sign in here instead of the stack's Cognito user pool (e.g. NHS CIS2). */
  externalOidc?: ExternalOidcProvider;
  /** The hub's own domain and its ACM certificate in us-east-1 (TLS 1.2 minimum): the way to deploy for real. */
  domain?: { name: string; certificateArn: string };
  /** A CloudFront-scope WAF web ACL (the Edge stack's output). */
  webAclArn?: string;
  /** The address teams' emails come from (an SES identity); without it the hub sends no email. */
  mailFrom?: string;
}

/** The PCN Referral Hub on AWS: HTTP API, Lambdas, SQS, DynamoDB, alarms; everything encrypted with customer keys (one for patient data, one for logs). */
export class PcnReferralHubStack extends Stack {
  readonly api: HubApi;

  constructor(scope: Construct, id: string, props: HubStackProps) {
    super(scope, id, props);
    const keys = new HubKeys(this, 'Keys');
    const tables = new HubTables(this, 'Tables', { key: keys.patientData });
    const queues = new HubQueues(this, 'Queues', keys);
    this.api = new HubApi(this, 'Api', { logKey: keys.operations });
    // The hub's one public address: CloudFront in front of the API and the web app.
    const webApp = new HubWebApp(this, 'WebApp', {
      api: this.api.httpApi,
      logKey: keys.operations,
      ...(props.domain ? { domain: props.domain } : {}),
      ...(props.webAclArn ? { webAclArn: props.webAclArn } : {}),
    });
    const identity = new HubIdentity(this, 'Identity', {
      apiUrl: webApp.url,
      ...(props.externalOidc ? { externalOidc: props.externalOidc } : {}),
    });
    const { functions } = new HubFunctions(this, 'Functions', {
      tables,
      queues,
      keys,
      tokenKey: identity.tokenKey,
      signIn: identity.signIn,
      hubOdsCode: props.hubOdsCode,
      opsOrganisations: props.opsOrganisations,
      hubBaseUrl: webApp.url,
      originSecret: webApp.originSecret,
    });
    this.api.addRoutes(functions, webApp.url);
    // Urgent work arrives through delivery; the morning digest goes from the deadline sweep.
    if (props.mailFrom)
      new HubTeamEmails(this, 'TeamEmails', {
        from: props.mailFrom,
        senders: [functions.deliver, functions.deadlines],
      });
    const monitoring = new HubMonitoring(this, 'Monitoring', {
      key: keys.operations,
      tables,
      queues,
      functions,
      api: this.api,
      ...(props.alarmEmail ? { alarmEmail: props.alarmEmail } : {}),
    });
    new CfnOutput(this, 'HubUrl', {
      value: webApp.url,
      description:
        "The hub's address: FHIR base URL and token issuer (POST /oauth2/token for an access token); the web app at /app/",
    });
    new CfnOutput(this, 'DirectoryTableName', {
      value: tables.directory.tableName,
      description: 'npm run network -- load --table <this>',
    });
    new CfnOutput(this, 'MessagesTableName', { value: tables.messages.tableName });
    new CfnOutput(this, 'IdentityTableName', {
      value: tables.identity.tableName,
      description: 'Client registrations: npm run clients -- register --table <this> ...',
    });
    if (identity.userPool)
      new CfnOutput(this, 'UserPoolId', {
        value: identity.userPool.userPoolId,
        description: "People's accounts: set custom:organisation and add each to its role groups",
      });
    new CfnOutput(this, 'AlarmTopicArn', {
      value: monitoring.alarmTopic.topicArn,
      description: "Subscribe ops to the hub's alarms",
    });
  }
}
