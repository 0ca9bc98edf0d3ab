import { extname } from 'node:path';
import { ConfigDocument } from '../core/ConfigDocument.js';
import { UserError } from '../core/errors.js';
import { buildScenario, type ScenarioDefinition } from './definition.js';
import { readOpenScenario } from './OpenScenario.js';
import type { Scenario } from './Scenario.js';
import { isModuleScenario, loadModuleScenario } from './moduleScenario.js';

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
  if (isModuleScenario(file)) {
    throw new UserError('TypeScript and JavaScript scenarios are loaded with loadScenarioFile (asynchronous)', file);
  }
  const doc = ConfigDocument.read(file, 'scenario');
  return buildScenario(doc.data as ScenarioDefinition, { file, where: (path) => doc.where(path), params: options.params });
}

/** Any scenario file, including `export default scenario({...})` TypeScript modules. */
export async function loadScenarioFile(file: string, options: LoadOptions = {}): Promise<Scenario> {
  return isModuleScenario(file) ? loadModuleScenario(file, options.params) : loadScenario(file, options);
}
