import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLE_NETWORKS_DIR } from '../../local/network-files.js';
import { call, eventually } from '../support/http.js';

/**
 * The README's first steps, as a newcomer takes them: `npm start` in its own process (on a port of its own and a
 * data directory of its own), then the CLIs it prints, which must find that hub without being told where it is.
 */
const ROOT = join(import.meta.dirname, '..', '..');
const PRACTICE = 'Z9W001';
const OPS = 'Z9OPS1';
/** The sample week of care-home work that `npm start` seeds into a new data directory. */
const SAMPLE_WEEK_TASKS = 7;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe('a newcomer with the README open', () => {
  const work = mkdtempSync(join(tmpdir(), 'hub-newcomer-'));
  const dataDir = join(work, 'data');
  /** Where this file's hubs record themselves, as `.local-hub.json` does for a user. */
  const env = { LOCAL_HUB_RECORD: join(work, 'local-hub.json'), POWERTOOLS_LOG_LEVEL: 'ERROR' };
  let hub: { child: ChildProcess; baseUrl: string; port: number } | undefined;

  /** A CLI of the project, run as `npm run NAME -- ARGS` runs it. */
  const cli = (script: string, args: string[], extraEnv: Record<string, string> = {}): Promise<Run> =>
    new Promise((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', `scripts/${script}.ts`, ...args], {
        cwd: ROOT,
        env: { ...process.env, ...env, ...extraEnv },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
      child.once('exit', (code) => resolve({ code, stdout, stderr }));
    });

  /**
   * `npm start -- --data-dir DIR` on a free port, with the simulated receivers on another free port (so the
   * sample files' receiver addresses are not where they listen). Resolves when the hub first answers /metadata,
   * with what its record said at that very moment.
   */
  async function startHub(): Promise<{ recordAtFirstAnswer: { baseUrl?: string; dataDir?: string } }> {
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', 'local/start.ts', '--data-dir', dataDir], {
      cwd: ROOT,
      env: { ...process.env, ...env, PORT: String(port), RECEIVERS_PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk));
    const baseUrl = `http://localhost:${port}`;
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`npm start exited:\n${output}`);
      if (Date.now() > deadline) throw new Error(`npm start did not answer:\n${output}`);
      const answered = await fetch(`${baseUrl}/metadata`, { signal: AbortSignal.timeout(2000) }).then(
        (r) => r.ok,
        () => false,
      );
      if (answered) {
        const recordAtFirstAnswer = existsSync(env.LOCAL_HUB_RECORD)
          ? JSON.parse(readFileSync(env.LOCAL_HUB_RECORD, 'utf8'))
          : {};
        hub = { child, baseUrl, port };
        return { recordAtFirstAnswer };
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** Ctrl-C, as a user stops it. */
  async function stopHub(): Promise<void> {
    const child = hub?.child;
    hub = undefined;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGINT');
    });
  }

  const token = async (org: string, ...args: string[]) => {
    const run = await cli('token', ['--org', org, ...args]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    return run.stdout.trim();
  };
  const get = async (path: string, bearer: string) =>
    call(hub!.baseUrl, 'GET', path, { headers: { authorization: `Bearer ${bearer}` } });

  beforeAll(async () => {
    // A record of an older hub that is gone, as a previous session leaves it.
    writeFileSync(env.LOCAL_HUB_RECORD, JSON.stringify({ baseUrl: 'http://localhost:9', dataDir: '/nowhere' }));
  });
  afterAll(async () => {
    await stopHub();
    rmSync(work, { recursive: true, force: true });
  });

  it('runs on the Node major that the Lambdas run (package.json brings it)', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    const major = process.versions.node.split('.')[0];
    expect(pkg.devDependencies.node.split('.')[0]).toBe(major);
    expect(pkg.engines.node).toBe(`${major}.x`);
  });

  it('finds the hub by its record as soon as the hub answers, never the previous one', async () => {
    const { recordAtFirstAnswer } = await startHub();
    expect(recordAtFirstAnswer).toMatchObject({ baseUrl: hub!.baseUrl, dataDir });
  });

  it('gets a token from the running hub, whatever port it was started on, and calls the API with it', async () => {
    // Act: the README's line, with no PORT and no --data-dir.
    const bearer = await token(PRACTICE);
    // Assess: the token opens the practice's own listing.
    expect((await get('/messages', bearer)).status).toBe(200);
  });

  it('gets a token when the hub is reached by another spelling of its address', async () => {
    const bearer = await token(OPS, '--hub', `http://127.0.0.1:${hub!.port}`);
    const answer = await call(`http://127.0.0.1:${hub!.port}`, 'GET', '/messages', {
      headers: { authorization: `Bearer ${bearer}` },
    });
    expect(answer.status).toBe(200);
  });

  it('refuses a second hub on a data directory in use, saying so', async () => {
    const second = spawn(process.execPath, ['--import', 'tsx', 'local/start.ts', '--data-dir', dataDir], {
      cwd: ROOT,
      env: { ...process.env, ...env, PORT: String(await freePort()), RECEIVERS_PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    second.stdout.on('data', (chunk: Buffer) => (output += chunk));
    second.stderr.on('data', (chunk: Buffer) => (output += chunk));
    const code = await new Promise<number | null>((resolve) => second.once('exit', resolve));
    expect(code).toBe(1);
    expect(output).toContain(`The data directory ${dataDir} is in use by another hub`);
    // The first hub is untouched.
    expect((await call(hub!.baseUrl, 'GET', '/metadata')).status).toBe(200);
  });

  it('says the unchanged sample files are unchanged, in the CLI and in the hub alike', async () => {
    const diff = await cli('network', ['diff', '--local']);
    expect(diff.code).toBe(0);
    for (const id of ['watling-street-pcn', 'leamington-pcn', 'harrow-central-pcn'])
      expect(diff.stdout).toMatch(new RegExp(`unchanged\\s+${id}`));
    const ops = await token(OPS);
    for (const file of readdirSync(SAMPLE_NETWORKS_DIR)) {
      const answer = await call(hub!.baseUrl, 'POST', '/routing/$diff', {
        headers: { authorization: `Bearer ${ops}`, 'content-type': 'application/json' },
        rawBody: readFileSync(join(SAMPLE_NETWORKS_DIR, file), 'utf8'),
      });
      expect({ file, change: answer.body.change, details: answer.body.details }).toEqual({
        file,
        change: 'unchanged',
        details: [],
      });
    }
  });

  it('shows a changed file field by field, old value to new', async () => {
    const ops = await token(OPS);
    const file = JSON.parse(readFileSync(join(SAMPLE_NETWORKS_DIR, 'watling-street-pcn.json'), 'utf8'));
    const route = file.routes[0];
    const priority = route.priority;
    route.priority = priority + 1;
    const answer = await call(hub!.baseUrl, 'POST', '/routing/$diff', {
      headers: { authorization: `Bearer ${ops}`, 'content-type': 'application/json' },
      body: file,
    });
    expect(answer.body.change).toBe('changed');
    expect(answer.body.details).toEqual([
      expect.stringMatching(new RegExp(`^~ route ${route.id}.*: priority: ${priority} -> ${priority + 1}$`)),
    ]);
  });

  it('refuses to register a role the organisation cannot hold, saying why', async () => {
    const jwks = join(work, 'jwks.json');
    writeFileSync(jwks, JSON.stringify({ keys: [{ kty: 'OKP', crv: 'Ed25519', x: 'A'.repeat(43), kid: 'k1' }] }));
    const refused = await cli('clients', [
      'register',
      '--local',
      '--client-id',
      'a-practice-as-ops',
      '--org',
      'Z9W002',
      '--role',
      'ops',
      '--jwks',
      jwks,
    ]);
    expect(refused.code).toBe(2);
    expect(refused.stdout).not.toContain('Registered');
    expect(refused.stderr).toContain('Z9W002 is not an ops organisation of this hub');
    const allowed = await cli('clients', [
      'register',
      '--local',
      '--client-id',
      'a-second-ops-desk',
      '--org',
      OPS,
      '--role',
      'ops',
      '--jwks',
      jwks,
    ]);
    expect(allowed.code).toBe(0);
  });

  it('lists, in send-sample --help, exactly the service categories the hub accepts', async () => {
    const help = await cli('send-sample', ['--help']);
    const codeSystem = JSON.parse(
      readFileSync(join(ROOT, 'fhir-profiles', 'CodeSystem', 'pcn-service-category.json'), 'utf8'),
    );
    const listed = help.stdout
      .slice(help.stdout.indexOf('service categories:'), help.stdout.lastIndexOf('--sender'))
      .split(/[\s,]+/)
      .filter((word) => /^[a-z]+(-[a-z]+)+$/.test(word));
    expect(listed.sort()).toEqual(codeSystem.concept.map((c: { code: string }) => c.code).sort());
    const refused = await cli('send-sample', ['--category', 'first-contact-physio']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('is not a service category of the hub');
  });

  it('pages every listing and search with _count and next links', async () => {
    const ops = await token(OPS);
    for (const path of [
      '/messages?_count=2',
      '/HealthcareService?_count=2',
      '/Organization?_count=2',
      '/Task?_count=2',
    ]) {
      const first = await get(path, ops);
      expect(first.status).toBe(200);
      const items = first.body.messages ?? first.body.entry;
      expect(items).toHaveLength(2);
      const next = first.body.link.find((l: { relation: string }) => l.relation === 'next');
      expect(next, path).toBeDefined();
      const second = await call(hub!.baseUrl, 'GET', next.url.slice(hub!.baseUrl.length), {
        headers: { authorization: `Bearer ${ops}` },
      });
      expect(second.status).toBe(200);
      const again = second.body.messages ?? second.body.entry;
      expect(again.length).toBeGreaterThan(0);
      const ids = (list: { id?: string; messageId?: string; resource?: { id: string } }[]) =>
        list.map((i) => i.messageId ?? i.resource?.id ?? i.id);
      expect(ids(again).some((id) => ids(items).includes(id))).toBe(false);
    }
    expect((await get('/messages?_count=0', ops)).status).toBe(400);
    expect((await get('/HealthcareService?_count=many', ops)).status).toBe(400);
  });

  it('seeds the sample week once per data directory, however often it is restarted', async () => {
    const tasks = async () => {
      const ops = await token(OPS);
      const answer = await eventually(
        () => get('/Task?_count=100', ops),
        (a) => a.status === 200,
      );
      return answer.body.entry.length as number;
    };
    expect(await tasks()).toBe(SAMPLE_WEEK_TASKS);
    for (let restart = 0; restart < 2; restart++) {
      await stopHub();
      await startHub();
      expect(await tasks()).toBe(SAMPLE_WEEK_TASKS);
    }
  });

  it('says clearly when no hub runs', async () => {
    await stopHub();
    const run = await cli('token', ['--org', PRACTICE]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/is not running: start it with npm start/);
  });

  it("leaves the user's own record alone when the tests run", () => {
    expect(process.env.LOCAL_HUB_RECORD).toBeDefined();
    expect(process.env.LOCAL_HUB_RECORD).not.toBe(join(ROOT, '.local-hub.json'));
  });
});
