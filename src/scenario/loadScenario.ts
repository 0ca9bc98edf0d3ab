import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { tsImport } from 'tsx/esm/api';
import { ConfigDocument } from '../core/ConfigDocument.js';
import { UserError } from '../core/errors.js';
import { buildScenario, type ScenarioDefinition } from './definition.js';
import { readOpenScenario } from './OpenScenario.js';
import type { Scenario } from './Scenario.js';
import { isScenarioModule } from './builders.js';

export interface LoadOptions {
  /** `--param name=value` overrides. */
  params?: Record<string, string | number>;
}

/**
 * Loads a scenario file: YAML or JSON (validated against the one schema, errors with
 * file:line and JSON path) or OpenSCENARIO `.xosc`. Paths inside it are relative to the file.
 * The map is read too, so that roads, lanes and positions are checked here.
 * TypeScript scenarios need `loadScenarioFile` (they are imported, which is asynchronous).
 */
export function loadScenario(file: string, options: LoadOptions = {}): Scenario {
  const ext = extname(file).toLowerCase();
  if (ext === '.xosc') return readOpenScenario(file, options);
  if (ext === '.ts' || ext === '.mts' || ext === '.js' || ext === '.mjs') {
    throw new UserError('TypeScript and JavaScript scenarios are loaded with loadScenarioFile (asynchronous)', file);
  }
  const doc = ConfigDocument.read(file, 'scenario');
  return buildScenario(doc.data as ScenarioDefinition, { file, where: (path) => doc.where(path), params: options.params });
}

/** Any scenario file, including `export default scenario({...})` TypeScript modules. */
export async function loadScenarioFile(file: string, options: LoadOptions = {}): Promise<Scenario> {
  const ext = extname(file).toLowerCase();
  if (ext !== '.ts' && ext !== '.mts' && ext !== '.js' && ext !== '.mjs') return loadScenario(file, options);
  let module: { default?: unknown };
  try {
    // TypeScript goes through tsx's loader for this one import (Node 20 cannot strip types);
    // nothing is registered globally.
    module = (ext === '.ts' || ext === '.mts'
      ? await tsImport(pathToFileURL(resolve(file)).href, import.meta.url)
      : await import(pathToFileURL(resolve(file)).href)) as { default?: unknown };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' && !(error as Error).message.includes('imported from')) throw new UserError('no such scenario file', file);
    throw new UserError(`cannot load the scenario module: ${(error as Error).message}`, file);
  }
  const value = module.default;
  if (!isScenarioModule(value)) throw new UserError('the module must `export default scenario({...})`', file);
  return value.build(file, options.params);
}
