import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks } from 'cdk-nag';
import { LOCAL_HUB_ODS, LOCAL_OPS_ODS } from '../local/identities.js';
import { acknowledgeNagFindings } from './nag.js';
import { PcnReferralHubStack } from './stack.js';

/** Builds the app; `npx cdk synth` runs it (cdk.json), and the infra tests call it directly. */
export function buildApp(app = new App()): { app: App; stack: PcnReferralHubStack } {
  const stack = new PcnReferralHubStack(app, 'PcnReferralHub', {
    hubOdsCode: (app.node.tryGetContext('hubOdsCode') as string | undefined) ?? LOCAL_HUB_ODS,
    opsOrganisations: (app.node.tryGetContext('opsOrganisations') as string | undefined) ?? LOCAL_OPS_ODS,
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION ?? 'eu-west-2' },
    description: 'PCN Referral Hub: FHIR (BaRS) referral switchboard for Primary Care Networks',
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new HIPAASecurityChecks(app));
  acknowledgeNagFindings(stack);
  return { app, stack };
}

if (import.meta.url === `file://${process.argv[1]}`) buildApp().app.synth();
