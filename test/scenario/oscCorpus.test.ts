import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/core/errors.js';
import { loadScenario } from '../../src/scenario/loadScenario.js';
import { Simulation } from '../../src/sim/Simulation.js';

// Every esmini scenario of the fixtures loads and runs a few simulated seconds without a stack
// trace, and every warning names its file and line; a catalog file given as a scenario is a
// UserError naming its line. The warning lists themselves change as elements gain support, so
// only their form is asserted.

const DIR = 'test/fixtures/esmini/xosc';
// Catalogs too: loaded as a scenario, one is refused with a clear error naming its line.
const files = (readdirSync(DIR, { recursive: true }) as string[]).filter((f) => f.endsWith('.xosc')).sort();

describe('the esmini corpus', () => {
  it('has scenarios to run', () => {
    expect(files.length).toBeGreaterThanOrEqual(13);
  });

  for (const name of files) {
    const catalog = name.startsWith('Catalogs');
    it(`${name}: ${catalog ? 'is refused as a scenario with a UserError naming its line' : 'loads and runs 3 s without an exception; warnings name file:line'}`, () => {
      const file = join(DIR, name);
      if (catalog) {
        let error: unknown;
        try {
          loadScenario(file);
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(UserError);
        expect((error as UserError).where).toMatch(/\.xosc:\d+$/);
        return;
      }
      const scenario = loadScenario(file);
      for (const w of scenario.warnings) expect(w).toMatch(/^\S+\.xosc:\d+: \S/);
      const sim = new Simulation(scenario);
      for (let i = 0; i < Math.round(3 / scenario.step) && !sim.finished; i++) sim.step();
      expect(sim.time).toBeGreaterThan(0);
    });
  }
});
