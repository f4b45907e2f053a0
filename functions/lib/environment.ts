/** Other environment variables of the Lambdas (read in functions/lib/aws-hub.ts only). */
export const ENV = {
  hubBaseUrl: 'HUB_BASE_URL',
  hubOdsCode: 'HUB_ODS_CODE',
  opsOrganisations: 'HUB_OPS_ORGANISATIONS',
  deliveryBaseDelaySeconds: 'DELIVERY_BASE_DELAY_SECONDS',
  deliveryMaxAttempts: 'DELIVERY_MAX_ATTEMPTS',
  deliveryMaxDelaySeconds: 'DELIVERY_MAX_DELAY_SECONDS',
  pushTimeoutMs: 'PUSH_TIMEOUT_MS',
  directoryRefreshSeconds: 'DIRECTORY_REFRESH_SECONDS',
  /** The ARNs of the secrets: their values are read at run time, by the functions granted them. */
  cursorKeySecret: 'HUB_CURSOR_KEY_SECRET_ARN',
  /** The secret the NHS-number search index is keyed with (HMAC): one per deployment, never rotated lightly. */
  searchKeySecret: 'HUB_SEARCH_KEY_SECRET_ARN',
  /** The secret CloudFront sends the API with every request (the API functions refuse a request without it). */
  originSecret: 'HUB_ORIGIN_SECRET_ARN',
  /** The address teams' emails come from (an SES identity); absent: the hub sends no email. */
  mailFrom: 'HUB_MAIL_FROM',
  /** The asymmetric KMS key the hub signs its access tokens with. */
  tokenKeyId: 'HUB_TOKEN_KEY_ID',
  /** People's sign-in: the OpenID Connect provider (Cognito's user pool, or e.g. NHS CIS2) and the hub's client. */
  oidcIssuer: 'OIDC_ISSUER',
  oidcClientId: 'OIDC_CLIENT_ID',
  oidcScopes: 'OIDC_SCOPES',
  oidcOrganisationClaim: 'OIDC_ORGANISATION_CLAIM',
  oidcRolesClaim: 'OIDC_ROLES_CLAIM',
} as const;
