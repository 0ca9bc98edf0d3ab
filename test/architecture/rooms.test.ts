/**
 * The rooms of src/ and the one direction imports run (ARCHITECTURE.md, "Rooms and what they
 * may import"): each import statement of every source file is parsed and its target's room
 * must stand to the right of the importer's room, or be the same room.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(__dirname, '../../src');

/**
 * Top-down: a room imports only rooms of a higher rank (and its own); rooms of equal rank know
 * nothing of each other. '' is src/index.ts, the public API: the CLI calls only it.
 */
const RANK: Record<string, number> = { cli: 0, '': 0.5, run: 1, io: 2, sensors: 3, world: 4, sim: 5, scenario: 6, map: 7, raycast: 7, core: 8 };

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|mts)$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Every module specifier a file names: static imports and re-exports, `import type`, dynamic `import()`. */
export function importSpecifiers(text: string): string[] {
  // Comments first: an example in a doc comment is not an import.
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
  const specifiers: string[] = [];
  for (const match of code.matchAll(/\b(?:import|export)\s+(?:type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?['"]([^'"]+)['"]/g)) specifiers.push(match[1]);
  for (const match of code.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) specifiers.push(match[1]);
  return specifiers;
}

/** The room of a path under src/ ('' for src/index.ts, the public API, which sits above every room). */
function roomOf(path: string): string {
  const parts = relative(SRC, path).split(sep);
  return parts.length > 1 ? parts[0] : '';
}

/** Imports that run back up, as "importer -> target". */
export function upwardImports(files: string[], read: (file: string) => string): string[] {
  const found: string[] = [];
  for (const file of files) {
    const from = roomOf(file);
    if (from === '' || from === 'viewer') continue;
    for (const specifier of importSpecifiers(read(file))) {
      if (!specifier.startsWith('.')) continue;
      const to = roomOf(resolve(dirname(file), specifier));
      if (to === from || to === 'core') continue;
      const bad = to === 'viewer' || !(to in RANK) || !(from in RANK) || RANK[to] <= RANK[from];
      if (bad) found.push(`${relative(SRC, file)} -> ${specifier} (${from}/ may not import ${to || 'src/index.ts'}${to ? '/' : ''})`);
    }
  }
  return found;
}

describe('rooms', () => {
  const files = sourceFiles(SRC);

  it('has a rank for every room under src/', () => {
    const rooms = new Set(files.map(roomOf).filter((room) => room !== '' && room !== 'viewer'));
    expect([...rooms].filter((room) => !(room in RANK))).toEqual([]);
  });

  it('finds the import statements of a file, whatever their form', () => {
    const text = [
      "import { a } from '../io/codec.js';",
      "import type { B } from '../run/RunControl.js';",
      "export { c } from './c.js';",
      "export * from '../sim/d.js';",
      "import '../core/three.js';",
      "import {\n  e,\n  f,\n} from '../world/e.js';",
      "const g = await import('../cli/g.js');",
      "// import { no } from '../cli/comment.js';",
      "/** import { no } from '../cli/doc.js'; */",
    ].join('\n');
    expect(importSpecifiers(text)).toEqual(['../io/codec.js', '../run/RunControl.js', './c.js', '../sim/d.js', '../core/three.js', '../world/e.js', '../cli/g.js']);
  });

  it('tells an import running back up from one running down', () => {
    const sources: Record<string, string> = {
      [join(SRC, 'io/Up.ts')]: "import { runScenario } from '../run/runScenario.js';",
      [join(SRC, 'run/Down.ts')]: "import { encodeFrame } from '../io/codec.js';",
      [join(SRC, 'map/Side.ts')]: "import type { RaycastScene } from '../raycast/RaycastScene.js';",
      [join(SRC, 'cli/Api.ts')]: "const { runScenario } = await import('../index.js');",
      [join(SRC, 'sensors/Api.ts')]: "import { Lidar } from '../index.js';",
    };
    expect(upwardImports(Object.keys(sources), (file) => sources[file])).toEqual([
      'io/Up.ts -> ../run/runScenario.js (io/ may not import run/)',
      'map/Side.ts -> ../raycast/RaycastScene.js (map/ may not import raycast/)',
      'sensors/Api.ts -> ../index.js (sensors/ may not import src/index.ts)',
    ]);
  });

  it('imports only from rooms to the right, never back up', () => {
    expect(upwardImports(files, (file) => readFileSync(file, 'utf8'))).toEqual([]);
  });
});
