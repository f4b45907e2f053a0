import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { knowHubProcess } from './http.js';

const ROOT = join(import.meta.dirname, '..', '..');
/** How long a hub process may take to say where it listens, unless told otherwise. */
const START_TIMEOUT_MS = 30_000;

export interface HubProcess {
  child: ChildProcess;
  baseUrl: string;
}

/**
 * A hub in a process of its own (`npm start`'s entry, or a test's), resolved once it prints its FHIR base. A hub
 * that exits before then rejects with its output; one that exits later by itself (not killed) has it printed.
 * With `logFile`, all its output is appended there too.
 */
export function startHubProcess(
  args: string[],
  env: Record<string, string>,
  options: { logFile?: string; startTimeoutMs?: number } = {},
): Promise<HubProcess> {
  const { logFile, startTimeoutMs = START_TIMEOUT_MS } = options;
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  if (logFile) {
    appendFileSync(logFile, `--- ${new Date().toISOString()} ${args.join(' ')}\n`);
    for (const stream of [child.stdout!, child.stderr!]) stream.on('data', (chunk) => appendFileSync(logFile, chunk));
  }
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`hub did not start:\n${output}`)), startTimeoutMs);
    child.stdout!.on('data', (chunk: Buffer) => {
      output = `${output}${chunk}`.slice(-20_000);
      const match = /FHIR base:\s+(\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        // The test signs in as the hub's sample clients, whose keys it wrote into its data directory.
        const dataDir = args[args.indexOf('--data-dir') + 1];
        if (args.includes('--data-dir') && dataDir) knowHubProcess(match[1]!, dataDir);
        resolve({ child, baseUrl: match[1]! });
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => (output = `${output}${chunk}`.slice(-20_000)));
    child.once('exit', (code, signal) => {
      if (signal !== 'SIGKILL' && signal !== 'SIGINT')
        console.error(`hub process exited (${code}):\n${output.slice(-4000)}`);
      reject(new Error(`hub exited (${code}):\n${output}`));
    });
  });
}

/** Kills a hub process as a power cut would (SIGKILL), and waits until it is gone. */
export function crash(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}
