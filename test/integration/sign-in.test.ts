import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_OPS_ODS, type LocalHub, startLocalHub } from '../../local/hub.js';
import { SAMPLE_PRACTICE } from '../../local/identities.js';
import { sampleClientId } from '../../local/sample-clients.js';

/** A browser's cookies, by path, as far as these tests need them (host-only, no expiry bookkeeping but Max-Age=0). */
class CookieJar {
  private readonly cookies = new Map<string, { value: string; path: string; attributes: string }>();

  store(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';').map((p) => p.trim());
      const [name = '', ...value] = pair.split('=');
      const path = attributes.find((a) => /^path=/i.test(a))?.slice(5) ?? '/';
      if (attributes.some((a) => /^max-age=0$/i.test(a))) this.cookies.delete(name);
      else this.cookies.set(name, { value: value.join('='), path, attributes: attributes.join('; ') });
    }
  }

  header(url: string): string {
    const { pathname } = new URL(url);
    return [...this.cookies]
      .filter(([, c]) => pathname.startsWith(c.path))
      .map(([name, c]) => `${name}=${c.value}`)
      .join('; ');
  }

  attributesOf(name: string): string | undefined {
    return this.cookies.get(name)?.attributes;
  }

  valueOf(name: string): string | undefined {
    return this.cookies.get(name)?.value;
  }
}

/** A browser that follows redirects itself, keeping cookies: enough to walk the sign-in flow over real HTTP. */
class Browser {
  readonly jar = new CookieJar();

  /** Fetches `url` and follows its redirects, up to (not into) a URL matching `stopBefore`. */
  async go(
    url: string,
    init: RequestInit = {},
    stopBefore?: RegExp,
  ): Promise<{ response: Response; url: string; text: string }> {
    let current = url;
    let request = init;
    for (let hops = 0; hops < 10; hops++) {
      const response = await fetch(current, {
        ...request,
        redirect: 'manual',
        headers: { cookie: this.jar.header(current), ...(request.headers as Record<string, string>) },
      });
      this.jar.store(response);
      const location = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || !location)
        return { response, url: current, text: await response.text() };
      await response.arrayBuffer();
      current = new URL(location, current).toString();
      if (stopBefore?.test(current)) return { response, url: current, text: '' };
      request = {}; // a redirect is followed with GET
    }
    throw new Error('too many redirects');
  }

  /** Signs in at the local identity provider's page as a sample person, from the hub's sign-in link. */
  async signIn(baseUrl: string, person: string, returnTo = '/app/', stopBefore?: RegExp): Promise<string> {
    const page = await this.go(`${baseUrl}/auth/login?return_to=${encodeURIComponent(returnTo)}`);
    const action = /<form[^>]*action="([^"]+)"/.exec(page.text)?.[1];
    if (!action) throw new Error(`no sign-in form at ${page.url}: ${page.text.slice(0, 300)}`);
    const done = await this.go(
      new URL(action.replaceAll('&amp;', '&'), page.url).toString(),
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ prompt: 'login', login: person, password: 'any password' }).toString(),
      },
      stopBefore,
    );
    return done.url;
  }
}

describe('people sign in with OpenID Connect (authorization code + PKCE) and get an HttpOnly session', () => {
  let hub: LocalHub;
  beforeAll(async () => {
    hub = await startLocalHub({ port: 0, receiversPort: false });
  });
  afterAll(async () => {
    await hub?.stop();
  });

  it('signs a receiving team member in and lets the page call the API as their organisation, and no other', async () => {
    // Act: a member of the social prescribing team signs in at the identity provider.
    const browser = new Browser();
    const landed = await browser.signIn(hub.baseUrl, sampleClientId('Z9W101', 'receiver'), '/app/inbox');
    // Assess: back where they asked to go, with a session cookie the page's scripts cannot read.
    expect(new URL(landed).pathname).toBe('/app/inbox');
    const attributes = browser.jar.attributesOf('hub_session');
    expect(attributes).toContain('HttpOnly');
    expect(attributes).toContain('SameSite=Strict');
    const session = await browser.go(`${hub.baseUrl}/auth/session`);
    expect(JSON.parse(session.text)).toEqual({
      user: sampleClientId('Z9W101', 'receiver'),
      organisation: 'Z9W101',
      roles: ['receiver'],
    });
    expect((await browser.go(`${hub.baseUrl}/mailbox`)).response.status).toBe(200);
    // A receiver is not ops.
    expect((await browser.go(`${hub.baseUrl}/messages/abc/$replay`, { method: 'POST' })).response.status).toBe(403);
  });

  it('refuses a change made with the session from another site (Origin), and accepts it from the hub', async () => {
    const browser = new Browser();
    await browser.signIn(hub.baseUrl, sampleClientId(SAMPLE_PRACTICE, 'receiver'));
    const fromElsewhere = await browser.go(`${hub.baseUrl}/mailbox/abc/$acknowledge`, {
      method: 'POST',
      headers: { origin: 'https://evil.example.org' },
    });
    expect(fromElsewhere.response.status).toBe(403);
    expect(fromElsewhere.text).toContain('Origin');
    const fromHub = await browser.go(`${hub.baseUrl}/mailbox/abc/$acknowledge`, {
      method: 'POST',
      headers: { origin: hub.baseUrl },
    });
    expect(fromHub.response.status).toBe(404); // no such message: past the identity checks
  });

  /** The headers a browser adds to a request its page makes of the hub's own origin. */
  const fromHubPage = () => ({ origin: new URL(hub.baseUrl).origin, 'sec-fetch-site': 'same-origin' });

  it('gives ops staff the ops role, and signs out: the session ends at the hub, as a cookie and as a bearer', async () => {
    const browser = new Browser();
    await browser.signIn(hub.baseUrl, sampleClientId(LOCAL_OPS_ODS, 'ops'));
    expect((await browser.go(`${hub.baseUrl}/messages?status=failed`)).response.status).toBe(200);
    const kept = browser.jar.valueOf('hub_session')!; // what an attacker who copied the cookie would hold
    const out = await browser.go(`${hub.baseUrl}/auth/logout`, { method: 'POST', headers: fromHubPage() });
    expect(out.response.status).toBe(200);
    expect((await browser.go(`${hub.baseUrl}/auth/session`)).response.status).toBe(401);
    const asCookie = await fetch(`${hub.baseUrl}/auth/session`, { headers: { cookie: `hub_session=${kept}` } });
    expect(asCookie.status).toBe(401);
    const asBearer = await fetch(`${hub.baseUrl}/auth/session`, { headers: { authorization: `Bearer ${kept}` } });
    expect(asBearer.status).toBe(401);
    expect(JSON.stringify(await asBearer.json())).toContain('signed out');
  });

  it('signs out at the identity provider too (RP-initiated logout): signing in again asks who you are', async () => {
    // Prepare: signed in, so the identity provider has a session of its own.
    const browser = new Browser();
    await browser.signIn(hub.baseUrl, sampleClientId('Z9W101', 'receiver'));
    const again = await browser.go(`${hub.baseUrl}/auth/login`);
    expect(new URL(again.url).pathname).toBe('/app/'); // still signed in there: no question asked
    // Act: sign out at the hub; it says where to sign out at the provider; the person confirms there.
    const out = await browser.go(`${hub.baseUrl}/auth/logout`, { method: 'POST', headers: fromHubPage() });
    const { signOutAt } = JSON.parse(out.text) as { signOutAt: string };
    expect(new URL(signOutAt).pathname).toBe('/oidc/session/end');
    const confirm = await browser.go(signOutAt);
    expect(confirm.text).toContain('Sign out of this sign-in service too');
    const form = /<form[^>]*action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/.exec(confirm.text)!;
    const fields = Object.fromEntries(
      [...form[2]!.matchAll(/<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]),
    );
    const back = await browser.go(new URL(form[1]!, confirm.url).toString(), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...fields, logout: 'yes' }).toString(),
    });
    // Assess: back at the web app, and a new sign-in shows the sign-in page again.
    expect(new URL(back.url).pathname).toBe('/app/');
    const fresh = await browser.go(`${hub.baseUrl}/auth/login`);
    expect(fresh.text).toContain("Sample person's id");
  });

  it('refuses a sign-out, or any change, that another site asks a signed-in browser for', async () => {
    const browser = new Browser();
    await browser.signIn(hub.baseUrl, sampleClientId(LOCAL_OPS_ODS, 'ops'));
    const attempts: Record<string, string>[] = [
      { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      { origin: 'https://evil.example', 'sec-fetch-site': 'same-origin' }, // the two disagree: refused
      { 'sec-fetch-site': 'cross-site' },
      {}, // neither: not from a page
    ];
    for (const headers of attempts) {
      const out = await browser.go(`${hub.baseUrl}/auth/logout`, { method: 'POST', headers });
      expect(out.response.status, JSON.stringify(headers)).toBe(403);
      const change = await browser.go(`${hub.baseUrl}/messages/$replay`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: '{}',
      });
      expect(change.response.status, JSON.stringify(headers)).toBe(403);
    }
    // Still signed in: nothing another site asked for was done.
    expect((await browser.go(`${hub.baseUrl}/auth/session`)).response.status).toBe(200);
  });

  it('refuses an unknown person, a callback this browser did not start, and a state used twice', async () => {
    const stranger = new Browser();
    const landed = await stranger.go(`${hub.baseUrl}/auth/login`);
    const action = /<form[^>]*action="([^"]+)"/.exec(landed.text)![1]!;
    const refused = await stranger.go(new URL(action, landed.url).toString(), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ prompt: 'login', login: 'nobody-at-all', password: 'x' }).toString(),
    });
    expect(stranger.jar.attributesOf('hub_session')).toBeUndefined();
    expect(refused.response.status).toBeGreaterThanOrEqual(400);

    // An attacker signs in as themself and hands the victim the callback URL (login CSRF): the victim's browser
    // did not start that sign-in, so it is refused; the attacker's own browser may use it once, not twice.
    const attacker = new Browser();
    const callback = await attacker.signIn(
      hub.baseUrl,
      sampleClientId('Z9W002', 'sender'),
      '/app/',
      /\/auth\/callback/,
    );
    expect(new URL(callback).pathname).toBe('/auth/callback');
    const victim = new Browser();
    expect((await victim.go(callback)).response.status).toBe(401);
    expect(victim.jar.attributesOf('hub_session')).toBeUndefined();
    const first = await attacker.go(callback, {}, /\/app\//);
    expect(first.response.status).toBe(302);
    expect(attacker.jar.attributesOf('hub_session')).toBeDefined();
    const again = await new Browser().go(callback, {
      headers: { cookie: `hub_sign_in=${new URL(callback).searchParams.get('state')}` },
    });
    expect(again.response.status).toBe(401);
  });

  it("refuses (400) a callback carrying this browser's state but another sign-in's code", async () => {
    // Prepare: this browser starts a sign-in; another finishes one of its own, up to its callback.
    const browser = new Browser();
    await browser.go(`${hub.baseUrl}/auth/login`);
    const state = browser.jar.valueOf('hub_sign_in')!;
    const other = new Browser();
    const theirs = await other.signIn(hub.baseUrl, sampleClientId('Z9W002', 'sender'), '/app/', /\/auth\/callback/);
    const code = new URL(theirs).searchParams.get('code')!;
    // Act: their code, under this browser's own state (the PKCE verifier is this sign-in's, not theirs)
    const answer = await browser.go(`${hub.baseUrl}/auth/callback?code=${encodeURIComponent(code)}&state=${state}`);
    // Assess
    expect(answer.response.status).toBe(400);
    expect(browser.jar.attributesOf('hub_session')).toBeUndefined();
  });
});
