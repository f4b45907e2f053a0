import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { JWK } from 'jose';
import Provider, { type Configuration } from 'oidc-provider';
import type { SampleClient } from './sample-clients.js';

/** Where the local identity provider is mounted on the hub's own port. */
export const LOCAL_OIDC_PATH = '/oidc';
/** The hub's client at the local identity provider: public, so PKCE is its only proof (as a browser app's). */
export const LOCAL_OIDC_CLIENT_ID = 'pcn-referral-hub-local';
/** The scopes the hub asks for: `hub` carries the person's organisation and roles. */
export const LOCAL_OIDC_SCOPES = 'openid profile hub';

/** A sample person: one per sample organisation and role, signed in by their id with any password. */
export interface SamplePerson {
  id: string;
  name: string;
  organisation: string;
  roles: string[];
}

/** The sample people: one for each sample client's organisation and role (e.g. z9w101-receiver). */
export function samplePeople(clients: SampleClient[], names: Map<string, string>): SamplePerson[] {
  return clients.map((client) => ({
    id: client.clientId,
    name: `Sample ${client.role} at ${names.get(client.organisation) ?? client.organisation}`,
    organisation: client.organisation,
    roles: [client.role],
  }));
}

/**
 * An OpenID Connect provider on this machine (oidc-provider), standing in for Cognito or NHS CIS2 so the same sign-in
 * code runs with no cloud account: authorization code with PKCE, ID tokens carrying `organisation` and `roles`, and
 * RP-initiated logout. Its sign-in page takes a sample person's id (e.g. z9w101-receiver) and any password.
 */
export function startIdentityProvider(options: {
  issuer: string;
  redirectUri: string;
  /** Where the hub sends a person back after signing out here too (OpenID Connect RP-initiated logout). */
  postLogoutRedirectUri: string;
  people: SamplePerson[];
  signingKey: JWK;
}): (req: IncomingMessage, res: ServerResponse) => void {
  const people = new Map(options.people.map((p) => [p.id, p]));
  const configuration: Configuration = {
    clients: [
      {
        client_id: LOCAL_OIDC_CLIENT_ID,
        redirect_uris: [options.redirectUri],
        post_logout_redirect_uris: [options.postLogoutRedirectUri],
        response_types: ['code'],
        grant_types: ['authorization_code'],
        token_endpoint_auth_method: 'none',
      },
    ],
    pkce: { required: () => true },
    claims: { openid: ['sub'], profile: ['name'], hub: ['organisation', 'roles'] },
    scopes: ['openid', 'profile', 'hub'],
    // The hub reads the person's organisation and roles from the ID token itself.
    conformIdTokenClaims: false,
    findAccount: async (_ctx, id) => {
      const person = people.get(id);
      if (!person) return undefined;
      return {
        accountId: id,
        claims: async () => ({ sub: id, name: person.name, organisation: person.organisation, roles: person.roles }),
      };
    },
    // A sample person has nothing to consent to: the hub is the provider's only client.
    loadExistingGrant: async (ctx) => {
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client!.clientId,
        accountId: ctx.oidc.session!.accountId!,
      });
      grant.addOIDCScope(LOCAL_OIDC_SCOPES);
      await grant.save();
      return grant;
    },
    jwks: { keys: [{ ...options.signingKey, use: 'sig', alg: 'RS256' }] as never },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    // Its own sign-in page (the NHS design system's look, nothing from another host), not the development one.
    interactions: { url: (_ctx, interaction) => `${LOCAL_OIDC_PATH}/interaction/${interaction.uid}` },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          ctx.body = page(
            'Sign out',
            `<h1 class="nhsuk-heading-l">Sign out</h1>
            <p class="nhsuk-body">You have signed out of the PCN Referral Hub. Sign out of this sign-in service too, so
            that the next person at this computer has to say who they are.</p>
            ${form.replace('</form>', '<button type="submit" class="nhsuk-button" name="logout" value="yes">Sign out</button></form>')}`,
          );
        },
        postLogoutSuccessSource: async (ctx) => {
          ctx.body = page('Signed out', '<h1 class="nhsuk-heading-l">You have signed out</h1>');
        },
      },
    },
  };
  const provider = new Provider(options.issuer, configuration);
  const callback = provider.callback();
  // Mounted under LOCAL_OIDC_PATH, as express would: the provider sees its own paths, and the original URL.
  return (req, res) => {
    Object.assign(req, { originalUrl: req.url });
    req.url = req.url!.slice(LOCAL_OIDC_PATH.length) || '/';
    if (req.url.startsWith('/interaction/')) {
      signInPage(provider, people, req, res).catch((error: Error) => {
        res.writeHead(400, { 'content-type': 'text/html; charset=utf-8' });
        res.end(
          page('Sign-in problem', `<h1 class="nhsuk-heading-l">Start again</h1><p>${htmlEscaped(error.message)}</p>`),
        );
      });
      return;
    }
    callback(req, res);
  };
}

/**
 * The sign-in page of an interaction: GET shows it, POST checks the person (a sample person's id, any password) and
 * hands them back to the provider, which returns them to the hub.
 */
async function signInPage(
  provider: Provider,
  people: ReadonlyMap<string, SamplePerson>,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const details = await provider.interactionDetails(req, res);
  const action = `${LOCAL_OIDC_PATH}/interaction/${details.uid}`;
  if (req.method === 'POST') {
    const form = new URLSearchParams(await bodyOf(req));
    const person = people.get(String(form.get('login') ?? '').trim());
    if (person) {
      await provider.interactionFinished(
        req,
        res,
        { login: { accountId: person.id } },
        { mergeWithLastSubmission: false },
      );
      return;
    }
    res.writeHead(400, { 'content-type': 'text/html; charset=utf-8' });
    res.end(signInForm(action, 'There is no sample person with that id: try one like z9w101-receiver.'));
    return;
  }
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  res.end(signInForm(action));
}

function signInForm(action: string, problem?: string): string {
  return page(
    problem ? 'Error: Sign in' : 'Sign in',
    `${
      problem
        ? `<div class="nhsuk-error-summary" aria-labelledby="problem-title" role="alert" tabindex="-1">
            <h2 class="nhsuk-error-summary__title" id="problem-title">There is a problem</h2>
            <div class="nhsuk-error-summary__body"><ul class="nhsuk-list nhsuk-error-summary__list">
              <li><a href="#login">${htmlEscaped(problem)}</a></li></ul></div></div>`
        : ''
    }
    <h1 class="nhsuk-heading-l">Sign in</h1>
    <p class="nhsuk-body">This is the sign-in service of the hub running on this computer. Sign in as a sample person:
    their id is their organisation's code and role, for example <strong>z9w101-receiver</strong>,
    <strong>z9w001-sender</strong> or <strong>z9ops1-ops</strong>. Any password will do.</p>
    <form method="post" action="${action}" novalidate>
      <div class="nhsuk-form-group">
        <label class="nhsuk-label" for="login">Sample person's id</label>
        <input class="nhsuk-input nhsuk-u-width-one-half" id="login" name="login" type="text" autocomplete="username" spellcheck="false" required>
      </div>
      <div class="nhsuk-form-group">
        <label class="nhsuk-label" for="password">Password</label>
        <input class="nhsuk-input nhsuk-u-width-one-half" id="password" name="password" type="password" autocomplete="current-password">
      </div>
      <button type="submit" class="nhsuk-button">Sign in</button>
    </form>`,
  );
}

/** A page in the NHS design system's look, with the web app's own styles: nothing loaded from another host. */
function page(title: string, main: string): string {
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${htmlEscaped(title)} - PCN Referral Hub</title>
  <style>${PAGE_STYLE}</style>
</head>
<body>
  <header class="hub-idp-header"><span>PCN Referral Hub</span></header>
  <main class="hub-idp-main" id="main-content">${main}</main>
</body>
</html>`;
}

/** The few NHS design system rules these pages use (its colours, type and spacing), inline: no request elsewhere. */
const PAGE_STYLE = `
  body { margin: 0; font-family: Arial, sans-serif; color: #212b32; background: #f0f4f5; font-size: 19px; line-height: 1.47; }
  .hub-idp-header { background: #005eb8; color: #fff; padding: 20px 16px; font-size: 20px; }
  .hub-idp-header span { display: block; max-width: 960px; margin: 0 auto; }
  .hub-idp-main { max-width: 960px; margin: 0 auto; padding: 40px 16px 64px; }
  .nhsuk-heading-l { font-size: 40px; line-height: 1.2; margin: 0 0 32px; }
  .nhsuk-body { margin: 0 0 24px; }
  .nhsuk-form-group { margin-bottom: 24px; }
  .nhsuk-label { display: block; font-weight: bold; margin-bottom: 8px; }
  .nhsuk-input { box-sizing: border-box; width: 100%; max-width: 24em; height: 40px; padding: 4px 8px; border: 2px solid #4c6272; border-radius: 0; font: inherit; }
  .nhsuk-input:focus { outline: 4px solid #ffeb3b; outline-offset: 0; box-shadow: inset 0 0 0 2px; }
  .nhsuk-button { background: #007f3b; color: #fff; border: 2px solid transparent; border-radius: 4px; box-shadow: 0 4px 0 #00401e; font: inherit; font-weight: bold; padding: 12px 16px; cursor: pointer; }
  .nhsuk-button:focus { background: #ffeb3b; color: #212b32; box-shadow: 0 4px 0 #212b32; outline: 4px solid transparent; }
  .nhsuk-error-summary { border: 4px solid #d5281b; padding: 16px; margin-bottom: 32px; background: #fff; }
  .nhsuk-error-summary__title { font-size: 24px; margin: 0 0 16px; }
  .nhsuk-error-summary a { color: #d5281b; font-weight: bold; }
  .nhsuk-list { margin: 0; padding: 0; list-style: none; }
`;

const htmlEscaped = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** A small form body (the sign-in form's two fields), read whole. */
async function bodyOf(req: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req) {
    body += chunk;
    if (body.length > 10_000) throw new Error('The form is too large');
  }
  return body;
}
