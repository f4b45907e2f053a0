import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { ROLES } from '../../core/auth.js';
import { SIGN_IN_PATHS } from '../../core/identity/sign-in.js';

/** People's identity provider when the deployment brings its own (e.g. NHS CIS2) instead of the stack's user pool. */
export interface ExternalOidcProvider {
  issuer: string;
  clientId: string;
  scopes: string;
  organisationClaim: string;
  rolesClaim: string;
}

/** What the functions need to know of people's sign-in. */
export type SignInSettings = ExternalOidcProvider;

/** How long Cognito's ID tokens last: only long enough for the hub to exchange them for its own session. */
const ID_TOKEN_MINUTES = 15;
/** The shortest refresh token Cognito issues: the hub never uses one. */
const REFRESH_TOKEN_MINUTES = 60;

/**
 * The hub's identity on AWS: the asymmetric KMS key its access tokens are signed with (the private half never leaves
 * KMS; the token endpoint may sign, the API functions may only read the public half), and where people sign in: the
 * stack's Cognito user pool (MFA required, no self sign-up, one group per hub role, the organisation an attribute
 * set by an administrator), or the OpenID Connect provider the deployment names.
 */
export class HubIdentity extends Construct {
  readonly tokenKey: kms.Key;
  readonly signIn: SignInSettings;
  readonly userPool?: cognito.UserPool;

  constructor(scope: Construct, id: string, props: { apiUrl: string; externalOidc?: ExternalOidcProvider }) {
    super(scope, id);
    this.tokenKey = new kms.Key(this, 'TokenKey', {
      description: 'PCN Referral Hub: signs access tokens (RS256)',
      keySpec: kms.KeySpec.RSA_2048,
      keyUsage: kms.KeyUsage.SIGN_VERIFY,
      // Asymmetric keys cannot rotate automatically: rotate by adding a key and publishing both in the JWKS.
      enableKeyRotation: false,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    if (props.externalOidc) {
      this.signIn = props.externalOidc;
      return;
    }
    const userPool = new cognito.UserPool(this, 'People', {
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 12,
        requireDigits: true,
        requireLowercase: true,
        requireUppercase: true,
        requireSymbols: true,
      },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      customAttributes: { organisation: new cognito.StringAttribute({ minLen: 3, maxLen: 10, mutable: true }) },
      featurePlan: cognito.FeaturePlan.PLUS,
      standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const role of ROLES)
      new cognito.CfnUserPoolGroup(this, `Role-${role}`, {
        userPoolId: userPool.userPoolId,
        groupName: role,
        description: `Hub role ${role}`,
      });
    userPool.addDomain('Domain', {
      cognitoDomain: { domainPrefix: `pcn-referral-hub-${Stack.of(this).account}` },
    });
    const client = userPool.addClient('Hub', {
      generateSecret: false, // a public client: PKCE is its proof
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.PROFILE, cognito.OAuthScope.EMAIL],
        callbackUrls: [`${props.apiUrl}${SIGN_IN_PATHS.callback}`],
      },
      preventUserExistenceErrors: true,
      // Only the authorization code flow the hub uses: no password, SRP or custom flows through this client.
      authFlows: { userPassword: false, userSrp: false, custom: false, adminUserPassword: false },
      idTokenValidity: Duration.minutes(ID_TOKEN_MINUTES),
      accessTokenValidity: Duration.minutes(ID_TOKEN_MINUTES),
      // The hub keeps no refresh token (its own session cookie is the session): the shortest Cognito allows.
      refreshTokenValidity: Duration.minutes(REFRESH_TOKEN_MINUTES),
      readAttributes: new cognito.ClientAttributes()
        .withStandardAttributes({ email: true, fullname: true })
        .withCustomAttributes('organisation'),
      writeAttributes: new cognito.ClientAttributes(),
    });
    this.userPool = userPool;
    this.signIn = {
      issuer: userPool.userPoolProviderUrl,
      clientId: client.userPoolClientId,
      scopes: 'openid profile email',
      organisationClaim: 'custom:organisation',
      rolesClaim: 'cognito:groups',
    };
  }
}
