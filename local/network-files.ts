import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { jsonNesting, MAX_BODY_JSON_DEPTH } from '../core/json-guard.js';
import {
  checkNetworkDefinition,
  crossNetworkProblems,
  type DefinitionProblem,
  type NetworkDefinition,
} from '../core/routing/network.js';
import { HUB_CATEGORIES } from '../core/routing/routing-context.js';

/** The folder of sample network definitions shipped with the hub. */
export const SAMPLE_NETWORKS_DIR = resolve(import.meta.dirname, '..', 'networks');

/** Address of the simulated receivers in the sample files; the local hub rewrites it to where they really listen. */
export const SAMPLE_RECEIVERS_ORIGIN = 'http://localhost:4010';

export class InvalidNetworkError extends Error {
  constructor(
    readonly file: string,
    readonly problems: DefinitionProblem[],
  ) {
    super(`${file}: ${problems.length} problem(s)\n${problems.map((p) => `  ${p.path}: ${p.message}`).join('\n')}`);
  }
}

/** JSON files named on the command line, or every *.json in a named folder. */
export function networkFiles(paths: string[]): string[] {
  return paths.flatMap((p) =>
    statSync(p).isDirectory()
      ? readdirSync(p)
          .filter((f) => f.endsWith('.json'))
          .sort()
          .map((f) => join(p, f))
      : [p],
  );
}

/** Reads and validates definition files; throws InvalidNetworkError listing every problem of the first bad file. */
export function readNetworkDefinitions(files: string[]): NetworkDefinition[] {
  const definitions: NetworkDefinition[] = [];
  for (const file of files) {
    let parsed: unknown;
    const text = readFileSync(file, 'utf8');
    if (jsonNesting(text, MAX_BODY_JSON_DEPTH) > MAX_BODY_JSON_DEPTH)
      throw new InvalidNetworkError(file, [{ path: '$', message: `nested deeper than ${MAX_BODY_JSON_DEPTH} levels` }]);
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new InvalidNetworkError(file, [{ path: '$', message: `not valid JSON: ${(error as Error).message}` }]);
    }
    const problems = checkNetworkDefinition(parsed, HUB_CATEGORIES);
    if (problems.length > 0) throw new InvalidNetworkError(file, problems);
    definitions.push(parsed as NetworkDefinition);
  }
  const [first] = crossNetworkProblems(definitions);
  if (first) {
    const file = files[definitions.findIndex((d) => d.id === first.networkId)] ?? first.networkId;
    throw new InvalidNetworkError(
      file,
      crossNetworkProblems(definitions).map((p) => p.problem),
    );
  }
  return definitions;
}

/**
 * The local transport's view of an address: the sample files name the simulated receivers at their default origin,
 * and a hub whose receivers listen elsewhere (another RECEIVERS_PORT, a test's free port) delivers there. The
 * routing tables keep each address as its file gives it, so a diff of an unchanged file says "unchanged".
 */
export function receiverAddress(address: string, receiversOrigin: string): string {
  return address.startsWith(SAMPLE_RECEIVERS_ORIGIN)
    ? receiversOrigin + address.slice(SAMPLE_RECEIVERS_ORIGIN.length)
    : address;
}
