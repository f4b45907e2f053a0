import { createHash, randomBytes } from 'node:crypto';
import { isRole, type Role } from '../auth.js';
import { BadRequestError, ForbiddenError, issue, UnauthorizedError } from '../errors.js';
import type { Clock, Directory, HubLog } from '../ports.js';
import type { OidcProvider, PendingSignIns } from './identity-ports.js';
import type { IdentityService, IssuedToken } from './tokens.js';

/** How long a person has to finish signing in at the provider. */
export const SIGN_IN_SECONDS = 600;
/** How long a person's session lasts before they sign in again: a working shift. */
export const USER_SESSION_SECONDS = 8 * 3600;
/** The cookies of the browser session (HttpOnly: the page's scripts never see a token). */
export const SESSION_COOKIE = 'hub_session';
export const SIGN_IN_COOKIE = 'hub_sign_in';
export const SIGN_IN_PATHS = { login: '/auth/login', callback: '/auth/callback', logout: '/auth/logout' } as const;

/**
 * Which claims of the provider's ID token carry the person's organisation (ODS code) and roles: a deployment
 * setting, as each provider names them differently (Cognito: a custom attribute and groups; CIS2: its RBAC claims).
 */
export interface ClaimMapping {
  organisationClaim: string;
  rolesClaim: string;
}

export const DEFAULT_CLAIM_MAPPING: ClaimMapping = { organisationClaim: 'organisation', rolesClaim: 'roles' };

const randomToken = () => randomBytes(32).toString('base64url');

/** A place in the hub to go back to after signing in: a path of this site only (no open redirect). */
function safeReturnTo(value: string | undefined): string {
  return value && /^\/(?![/\\])[\w\-./~%?=&]*$/.test(value) ? value : '/app/';
}

/** Roles from a claim that may be a list or a space- or comma-separated string; unknown roles are ignored. */
function rolesFrom(value: unknown): Role[] {
  const names = Array.isArray(value) ? value : typeof value === 'string' ? value.split(/[\s,]+/) : [];
  return names.filter(isRole);
}

export type SignInService = ReturnType<typeof createSignIn>;

/**
 * Sign-in for people (OpenID Connect authorization code with PKCE): the hub is the relying party, and after the
 * provider vouches for the person it issues its own session token, bound to their organisation and roles, kept in an
 * HttpOnly cookie (never in the page's storage).
 */
export function createSignIn(
  mapping: ClaimMapping,
  ports: { provider: OidcProvider; pending: PendingSignIns; directory: Directory },
  deps: { identity: IdentityService; clock: Clock; log: HubLog; opsOrganisations: ReadonlySet<string> },
) {
  return {
    /** Starts a sign-in: the provider's URL to send the browser to, and the state to bind the browser with. */
    async begin(redirectUri: string, returnTo?: string): Promise<{ location: string; state: string }> {
      const state = randomToken();
      const nonce = randomToken();
      const codeVerifier = randomToken();
      const codeChallenge = createHash('sha256').update(codeVerifier).digest('base64url');
      const keepUntil = new Date(deps.clock.now().getTime() + SIGN_IN_SECONDS * 1000);
      await ports.pending.remember(state, { codeVerifier, nonce, returnTo: safeReturnTo(returnTo) }, keepUntil);
      return { location: await ports.provider.authorizationUrl({ state, nonce, codeChallenge, redirectUri }), state };
    },

    /** Finishes it: checks the browser's state, the code and the ID token, and issues the person's session. */
    async finish(
      answer: { code?: string; state?: string; error?: string },
      browserState: string | undefined,
      redirectUri: string,
    ): Promise<{ session: IssuedToken; returnTo: string }> {
      if (answer.error)
        throw new UnauthorizedError('Sign-in refused', [issue('login', `The sign-in service said: ${answer.error}`)]);
      if (!answer.code || !answer.state)
        throw new BadRequestError('Incomplete sign-in', [issue('required', 'The sign-in answer lacks code or state')]);
      // The state must be the one this browser started with (login CSRF), and is good once.
      if (answer.state !== browserState)
        throw new UnauthorizedError('Sign-in not started here', [
          issue('login', 'This sign-in was not started from this browser: start again'),
        ]);
      const pending = await ports.pending.claim(answer.state);
      if (!pending)
        throw new UnauthorizedError('Sign-in expired', [issue('login', 'This sign-in has expired: start again')]);
      const claims = await ports.provider.exchange(answer.code, pending.codeVerifier, redirectUri);
      if (claims.nonce !== pending.nonce)
        throw new UnauthorizedError('Nonce mismatch', [issue('login', 'The ID token is not for this sign-in')]);
      const organisation = claims[mapping.organisationClaim];
      const roles = rolesFrom(claims[mapping.rolesClaim]);
      if (typeof organisation !== 'string' || roles.length === 0)
        throw new ForbiddenError('No organisation or role', [
          issue('forbidden', 'Your account has no organisation or no hub role: ask your administrator'),
        ]);
      const registered =
        deps.opsOrganisations.has(organisation) || (await ports.directory.networkOfOrganisation(organisation));
      if (!registered)
        throw new ForbiddenError('Not registered', [
          issue('forbidden', `Organisation ${organisation} is not registered with the hub`),
        ]);
      deps.log.info('signed in', { user: claims.sub, organisation });
      const session = await deps.identity.issueUserToken(
        { userId: claims.sub, organisation, roles },
        USER_SESSION_SECONDS,
      );
      return { session, returnTo: pending.returnTo };
    },

    /** Where a person signing out at the hub goes next to sign out at the identity provider too, if it allows. */
    signOutAt(postLogoutRedirectUri: string): Promise<string | undefined> {
      return ports.provider.endSessionUrl(postLogoutRedirectUri);
    },
  };
}
