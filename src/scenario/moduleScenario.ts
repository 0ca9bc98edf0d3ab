/**
 * Loading scenarios written as modules (`.ts`, `.mts`, `.js`, `.mjs` that
 * `export default scenario({...})`), wherever they live. Such a file imports `roadcast`; a
 * file outside any project that installed roadcast gets the running roadcast's own modules
 * through a module hook, so `roadcast run ~/scenarios/x.ts` works with nothing installed.
 */
import { existsSync } from 'node:fs';
import { register } from 'node:module';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { tsImport } from 'tsx/esm/api';
import { UserError } from '../core/errors.js';
import { FILE_LIMITS, readUserText } from '../core/UserFile.js';
import { isScenarioModule } from './builders.js';
import type { Scenario } from './Scenario.js';

export const MODULE_EXTENSIONS = ['.ts', '.mts', '.js', '.mjs'];

export function isModuleScenario(file: string): boolean {
  return MODULE_EXTENSIONS.includes(extname(file).toLowerCase());
}

/** This roadcast's package entry points (built), for scenario files that cannot resolve their own. */
function ownEntryPoints(): { main: string; client: string } | undefined {
  for (const root of ['../', '../../dist/']) {
    const main = new URL(`${root}index.js`, import.meta.url);
    if (existsSync(fileURLToPath(main))) return { main: main.href, client: new URL(`${root}io/RoadcastClient.js`, import.meta.url).href };
  }
  return undefined;
}

let hookRegistered = false;

/**
 * Resolves `roadcast` and `roadcast/client` to this roadcast when the importing file's own
 * resolution finds none (a scenario outside a project that installed it). The hook runs in
 * Node's loader thread, so it is source text; it changes nothing a file can resolve itself.
 */
function registerFallbackResolution(): void {
  if (hookRegistered) return;
  hookRegistered = true;
  const own = ownEntryPoints();
  if (!own) return;
  const source = `
    const own = ${JSON.stringify({ roadcast: own.main, 'roadcast/client': own.client })};
    export async function resolve(specifier, context, next) {
      try {
        return await next(specifier, context);
      } catch (error) {
        if (Object.hasOwn(own, specifier) && error?.code === 'ERR_MODULE_NOT_FOUND') return { url: own[specifier], format: 'module', shortCircuit: true };
        throw error;
      }
    }`;
  register(`data:text/javascript,${encodeURIComponent(source)}`);
}

/**
 * The package.json that decides whether a file is an ES module or CommonJS (the nearest one
 * above it), and its "type".
 */
function packageScope(file: string): { packageJson?: string; type: string } {
  for (let dir = dirname(resolve(file)); ; dir = dirname(dir)) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      try {
        const type = (JSON.parse(readUserText(candidate, { what: 'package.json', maxBytes: FILE_LIMITS.config })) as { type?: unknown }).type;
        return { packageJson: candidate, type: type === 'module' ? 'module' : 'commonjs' };
      } catch {
        return { packageJson: candidate, type: 'commonjs' };
      }
    }
    if (dirname(dir) === dir) return { type: 'commonjs' };
  }
}

/** Loads a module scenario and builds it with the parameter values given. */
export async function loadModuleScenario(file: string, params?: Record<string, string | number>): Promise<Scenario> {
  if (!existsSync(file)) throw new UserError('no such scenario file', file);
  const ext = extname(file).toLowerCase();
  registerFallbackResolution();
  let module: { default?: unknown };
  try {
    // TypeScript goes through tsx's loader for this one import (Node 20 cannot strip types);
    // nothing is registered globally.
    const url = pathToFileURL(resolve(file)).href;
    module = (ext === '.ts' || ext === '.mts' ? await tsImport(url, import.meta.url) : await import(url)) as { default?: unknown };
  } catch (error) {
    if (error instanceof UserError) throw error;
    const message = (error as Error).message?.split('\n')[0] ?? String(error);
    const scope = packageScope(file);
    // Scenario modules import roadcast as an ES module; in a CommonJS scope that import
    // becomes require(), which cannot load it. Say what to change rather than why it failed.
    if (scope.type === 'commonjs' && (ext === '.ts' || ext === '.js') && /roadcast|require|exports/.test(message)) {
      const where = scope.packageJson ? `${scope.packageJson} has no "type": "module"` : 'there is no package.json above it';
      const fix = scope.packageJson ? 'add "type": "module" to that package.json' : 'add a package.json with {"type": "module"} beside it';
      throw new UserError(`a scenario module must load as an ES module, but ${where}, so Node loads it as CommonJS (${message}): ${fix}, rename the file to ${ext === '.ts' ? '.mts' : '.mjs'}, or start a project with \`roadcast init DIR\``, file);
    }
    throw new UserError(`cannot load the scenario module: ${message}`, file);
  }
  const value = module.default;
  if (!isScenarioModule(value)) throw new UserError('the module must `export default scenario({...})` (import { scenario } from \'roadcast\')', file);
  try {
    return value.build(file, params);
  } catch (error) {
    if (error instanceof UserError) throw error;
    // The author's own function threw: name the file, not our stack.
    throw new UserError(`building the scenario failed: ${(error as Error).message ?? String(error)}`, file);
  }
}
