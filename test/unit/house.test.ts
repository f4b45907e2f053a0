import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/** The most lines one source file may hold: beyond it a newcomer cannot hold the module in their head. */
const MAX_FILE_LINES = 400;
const ROOT = join(import.meta.dirname, '..', '..');
const FOLDERS = ['core', 'functions', 'local', 'infra', 'bench', 'scripts', 'web/src', 'test'];

function sourceFiles(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.tsx?$/.test(entry.name))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)))
    .filter((path) => !path.includes('generated') && !path.includes('node_modules'));
}

describe('the house', () => {
  it(`has no source file over ${MAX_FILE_LINES} lines (functions over 80 are refused by biome.json)`, () => {
    const files = FOLDERS.flatMap(sourceFiles);
    expect(files.length).toBeGreaterThan(100);
    const long = files
      .map((path) => ({ path, lines: readFileSync(join(ROOT, path), 'utf8').split('\n').length - 1 }))
      .filter((file) => file.lines > MAX_FILE_LINES);
    expect(long).toEqual([]);
  });
});
