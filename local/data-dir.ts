import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The file that says a hub holds a data directory: the process that does (one hub per directory at a time). */
const DATA_DIR_LOCK = 'hub.pid';

/** A second hub on a data directory already in use: refused, saying by whom, before anything opens it. */
export class DataDirInUseError extends Error {}

/** Takes the data directory for this process, unless a live process (another hub) holds it. */
function claimDataDir(dataDir: string): { killedSince?: string } {
  mkdirSync(dataDir, { recursive: true });
  const lock = join(dataDir, DATA_DIR_LOCK);
  const holder = existsSync(lock) ? Number(readFileSync(lock, 'utf8')) : undefined;
  const heldSince = holder ? statSync(lock).mtime.toISOString() : undefined;
  if (holder && holder !== process.pid && processAlive(holder))
    throw new DataDirInUseError(
      `The data directory ${dataDir} is in use by another hub (process ${holder}): stop it (Ctrl-C), or start this one with --data-dir elsewhere`,
    );
  writeFileSync(lock, String(process.pid));
  // A lock left behind: the last hub on this directory did not stop, it was killed (what it wrote since it started
  // may be missing from the emulator's indexes).
  return heldSince && holder !== process.pid ? { killedSince: heldSince } : {};
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The data directory taken for this process (emptied first when asked for a fresh start); when the last hub
 * on it was killed, since when it had held it.
 */
export function prepareDataDir(dataDir: string | undefined, fresh?: boolean): { killedSince?: string } {
  if (!dataDir) return {};
  const claimed = claimDataDir(dataDir);
  if (!fresh) return claimed;
  rmSync(dataDir, { recursive: true, force: true });
  claimDataDir(dataDir);
  return {};
}

/** Gives the data directory back (a clean stop: the next hub on it knows nothing was killed). */
export function releaseDataDir(dataDir: string): void {
  rmSync(join(dataDir, DATA_DIR_LOCK), { force: true });
}
