/**
 * `roadcast init DIR`: a ready project for writing scenarios outside this repository, made
 * from templates/project/ with a copy of the bundled town and default rig. Written into a
 * temporary folder and renamed, so a failed init leaves nothing behind.
 */
import type { Command } from 'commander';
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../core/errors.js';

/** This roadcast's own folder (the package root: templates/, maps/, sensors/). */
const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

function packageName(dir: string): string {
  const name = basename(resolve(dir)).toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[._-]+/, '');
  return name || 'roadcast-scenarios';
}

export function initProject(dir: string): string[] {
  const target = resolve(dir);
  if (existsSync(target) && (!statSync(target).isDirectory() || readdirSync(target).length > 0)) {
    throw new UserError('already exists and is not an empty folder; give a new folder name', dir);
  }
  const files: Record<string, string | { copy: string }> = {
    'package.json': `${JSON.stringify({
      name: packageName(dir),
      private: true,
      type: 'module',
      scripts: { start: 'roadcast run scenario.ts', check: 'roadcast scenario check scenario.ts' },
      // The roadcast that made this project; `npm install` links it (for types and `npm start`).
      devDependencies: { roadcast: `file:${relative(target, PACKAGE_ROOT) || '.'}` },
    }, null, 2)}\n`,
    '.gitignore': 'node_modules/\nout/\n',
    'scenario.ts': { copy: 'templates/project/scenario.ts' },
    'tsconfig.json': { copy: 'templates/project/tsconfig.json' },
    'README.md': { copy: 'templates/project/README.md' },
    'maps/town.xodr': { copy: 'maps/town.xodr' },
    'sensors/rig.yaml': { copy: 'sensors/default.yaml' },
  };
  mkdirSync(dirname(target), { recursive: true });
  const temporary = `${target}.${process.pid}.tmp`;
  try {
    for (const [name, content] of Object.entries(files)) {
      const path = join(temporary, name);
      mkdirSync(dirname(path), { recursive: true });
      if (typeof content === 'string') writeFileSync(path, content);
      else copyFileSync(join(PACKAGE_ROOT, content.copy), path);
    }
    if (existsSync(target)) rmSync(target, { recursive: true });
    renameSync(temporary, target);
  } catch (error) {
    rmSync(temporary, { recursive: true, force: true });
    const code = (error as NodeJS.ErrnoException).code;
    if (typeof code === 'string') throw new UserError(`cannot write the project: ${(error as Error).message}`, dir);
    throw error;
  }
  return Object.keys(files);
}

export function addInitCommand(program: Command): void {
  program.command('init')
    .description('Write a ready project for your own scenarios: package.json ("type": "module"), a TypeScript scenario, a rig and a map.')
    .argument('<dir>', 'a new (or empty) folder')
    .action((dir: string) => {
      const files = initProject(dir);
      console.log(`Wrote ${dir}/: ${files.join(', ')}`);
      console.log(`Next: cd ${dir} && npx roadcast run scenario.ts   (or npm install && npm start)`);
    });
}
