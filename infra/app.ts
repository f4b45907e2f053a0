import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks } from 'cdk-nag';
import { DEFAULT_CLAIM_MAPPING } from '../core/identity/sign-in.js';
import { LOCAL_HUB_ODS, LOCAL_OPS_ODS } from '../local/identities.js';
import type { ExternalOidcProvider } from './constructs/sign-in-pool.js';
import { PcnReferralHubEdgeStack } from './edge-stack.js';
import { PcnReferralHubStack } from './stack.js';

/** Where patient data may live: the UK (London). */
export const UK_REGION = 'eu-west-2';

/**
 * The region to deploy to: `-c region=...` when given, else London, never the CLI's default region (which the CDK
 * CLI always sets, often to us-east-1). A region outside the UK is refused unless `-c allowNonUkRegion=true`.
 */
export function deploymentRegion(app: App): string {
  const region = (app.node.tryGetContext('region') as string | undefined) ?? UK_REGION;
  if (region !== UK_REGION && String(app.node.tryGetContext('allowNonUkRegion')) !== 'true') {
    throw new Error(
      `Refusing to deploy patient data to ${region}: the hub deploys to ${UK_REGION} (London). Set -c allowNonUkRegion=true to override.`,
    );
  }
  return region;
}

/**
 * People's identity provider when not the stack's Cognito pool: `-c oidcIssuer=... -c oidcClientId=...` (and the
 * claims that carry the organisation and roles, `-c oidcOrganisationClaim=... -c oidcRolesClaim=...`).
 */
function externalOidc(app: App): { externalOidc?: ExternalOidcProvider } {
  const context = (name: string) => app.node.tryGetContext(name) as string | undefined;
  const issuer = context('oidcIssuer');
  if (!issuer) return {};
  const clientId = context('oidcClientId');
  if (!clientId) throw new Error('-c oidcIssuer needs -c oidcClientId (the hub registered as a client there)');
  return {
    externalOidc: {
      issuer,
      clientId,
      scopes: context('oidcScopes') ?? 'openid profile',
      organisationClaim: context('oidcOrganisationClaim') ?? DEFAULT_CLAIM_MAPPING.organisationClaim,
      rolesClaim: context('oidcRolesClaim') ?? DEFAULT_CLAIM_MAPPING.rolesClaim,
    },
  };
}

/** The hub's own domain: `-c domainName=... -c certificateArn=...` (an ACM certificate in us-east-1), both or none. */
function domain(app: App): { domain?: { name: string; certificateArn: string } } {
  const name = app.node.tryGetContext('domainName') as string | undefined;
  const certificateArn = app.node.tryGetContext('certificateArn') as string | undefined;
  if (!name && !certificateArn) return {};
  if (!name || !certificateArn) throw new Error('-c domainName and -c certificateArn go together');
  if (!certificateArn.startsWith('arn:aws:acm:us-east-1:'))
    throw new Error('CloudFront takes only a certificate from us-east-1: -c certificateArn=arn:aws:acm:us-east-1:...');
  return { domain: { name, certificateArn } };
}

/** Builds the app; `npx cdk synth` runs it (cdk.json), and the infra tests call it directly. */
export function buildApp(app = new App()): { app: App; stack: PcnReferralHubStack; edge: PcnReferralHubEdgeStack } {
  const stack = new PcnReferralHubStack(app, 'PcnReferralHub', {
    hubOdsCode: (app.node.tryGetContext('hubOdsCode') as string | undefined) ?? LOCAL_HUB_ODS,
    opsOrganisations: (app.node.tryGetContext('opsOrganisations') as string | undefined) ?? LOCAL_OPS_ODS,
    ...(app.node.tryGetContext('alarmEmail') ? { alarmEmail: app.node.tryGetContext('alarmEmail') as string } : {}),
    ...externalOidc(app),
    ...domain(app),
    ...(app.node.tryGetContext('webAclArn') ? { webAclArn: app.node.tryGetContext('webAclArn') as string } : {}),
    ...(app.node.tryGetContext('mailFrom') ? { mailFrom: app.node.tryGetContext('mailFrom') as string } : {}),
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: deploymentRegion(app) },
    description: 'PCN Referral Hub: FHIR (BaRS) referral switchboard for Primary Care Networks',
  });
  // The edge (CloudFront's WAF web ACL) lives in us-east-1, the one region CloudFront reads it from.
  const edge = new PcnReferralHubEdgeStack(app, 'PcnReferralHubEdge', {
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: 'us-east-1' },
    description: 'PCN Referral Hub: the WAF web ACL in front of its CloudFront distribution (no patient data)',
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new HIPAASecurityChecks(app));
  return { app, stack, edge };
}

if (import.meta.url === `file://${process.argv[1]}`) buildApp().app.synth();
