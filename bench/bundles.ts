import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import type { HandlerName } from '../core/api/routes.js';
import { FUNCTIONS } from '../functions/lib/lambdas.js';
import { TABLES } from '../functions/lib/storage.js';
import { LAMBDA_BUNDLING } from '../infra/bundling.js';
import { LOCAL_HUB_ODS } from '../local/identities.js';
import { median, round } from './measure.js';

const ROOT = resolve(import.meta.dirname, '..');
/** Process starts per bundle (in pairs, the ingest bundle then the minimal one, so drift hits both alike). */
const STARTS = 15;

export interface BundleSize {
  name: string;
  bytes: number;
}

export interface ColdStart {
  /** Median wall time of `node` starting and importing the bundle (module initialisation), ingest and minimal. */
  ingestMs: number;
  minimalMs: number;
  /** The median of each pair's ratio. */
  ingestRatioToMinimal: number;
}

/** The environment a Lambda of the stack gets (values that make the hub build its clients; nothing is called). */
const LAMBDA_ENVIRONMENT = {
  ...Object.fromEntries(TABLES.map((table) => [table.envVar, table.id])),
  HUB_TOKEN_KEY_ID: 'arn:aws:kms:eu-west-2:000000000000:key/bench',
  DELIVERY_QUEUE_URL: 'https://sqs.eu-west-2.amazonaws.com/000000000000/delivery',
  HUB_ODS_CODE: LOCAL_HUB_ODS,
  HUB_CURSOR_KEY_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-2:000000000000:secret:cursor',
  HUB_SEARCH_KEY_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-2:000000000000:secret:search',
  HUB_BASE_URL: 'https://hub.example.org',
  AWS_REGION: 'eu-west-2',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

/** Bundles `entry` as the stack deploys a Lambda; its size in bytes. */
export async function bundleAsDeployed(entry: string, outfile: string): Promise<number> {
  await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: LAMBDA_BUNDLING.target,
    minify: LAMBDA_BUNDLING.minify,
    mainFields: [...LAMBDA_BUNDLING.mainFields],
    banner: { js: LAMBDA_BUNDLING.banner },
    external: [...LAMBDA_BUNDLING.external],
    outfile,
    logLevel: 'error',
  });
  return statSync(outfile).size;
}

/** A new directory for bundles, inside the project so they find the AWS SDK in node_modules as a Lambda finds the runtime's. */
export function bundlesDir(): string {
  mkdirSync(join(ROOT, 'node_modules', '.cache'), { recursive: true });
  return mkdtempSync(join(ROOT, 'node_modules', '.cache', 'hub-bench-bundles-'));
}

/** Wall time of one `node` process that imports the bundle and exits. */
function startOnce(file: string): number {
  const start = performance.now();
  const run = spawnSync(
    process.execPath,
    ['--input-type=module', '-e', `await import(${JSON.stringify(pathToFileURL(file).href)})`],
    {
      env: { ...process.env, ...LAMBDA_ENVIRONMENT },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  if (run.status !== 0) throw new Error(`starting ${file} failed: ${run.stderr.toString()}`);
  return performance.now() - start;
}

/** 2. Each Lambda's bundle (as deployed: minified, AWS SDK excluded, no source map) and the ingest bundle's start. */
export async function bundlesAndColdStart(): Promise<{ bundles: BundleSize[]; coldStart: ColdStart }> {
  const dir = bundlesDir();
  try {
    const bundles: BundleSize[] = [];
    for (const [name, definition] of Object.entries(FUNCTIONS) as [HandlerName, (typeof FUNCTIONS)[HandlerName]][]) {
      mkdirSync(join(dir, name));
      bundles.push({ name, bytes: await bundleAsDeployed(join(ROOT, definition.entry), join(dir, name, 'index.mjs')) });
    }
    // The least a Lambda can be: a handler that answers at once.
    const minimalSource = join(dir, 'minimal.ts');
    writeFileSync(minimalSource, 'export const handler = async () => ({ statusCode: 200 });\n');
    mkdirSync(join(dir, 'minimal'));
    await bundleAsDeployed(minimalSource, join(dir, 'minimal', 'index.mjs'));
    const ingest = join(dir, 'ingest', 'index.mjs');
    const minimal = join(dir, 'minimal', 'index.mjs');
    startOnce(ingest);
    startOnce(minimal);
    const pairs: { ingest: number; minimal: number }[] = [];
    for (let i = 0; i < STARTS; i++) pairs.push({ ingest: startOnce(ingest), minimal: startOnce(minimal) });
    return {
      bundles,
      coldStart: {
        ingestMs: round(median(pairs.map((p) => p.ingest))),
        minimalMs: round(median(pairs.map((p) => p.minimal))),
        ingestRatioToMinimal: round(median(pairs.map((p) => p.ingest / p.minimal)), 2),
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
