import { RemovalPolicy } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/**
 * The hub's identity on AWS: the asymmetric KMS key its access tokens are signed with (the private half never
 * leaves KMS; the token endpoint may sign, the API functions may only read the public half).
 */
export class HubIdentity extends Construct {
  readonly tokenKey: kms.Key;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.tokenKey = new kms.Key(this, 'TokenKey', {
      description: 'PCN Referral Hub: signs access tokens (RS256)',
      keySpec: kms.KeySpec.RSA_2048,
      keyUsage: kms.KeyUsage.SIGN_VERIFY,
      // Asymmetric keys cannot rotate automatically: rotate by adding a key and publishing both in the JWKS.
      enableKeyRotation: false,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
