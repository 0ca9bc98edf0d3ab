import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/core/errors.js';
import { loadScenario } from '../../src/scenario/loadScenario.js';
import { Simulation } from '../../src/sim/Simulation.js';

// Every esmini scenario of the fixtures loads and runs a few simulated seconds without a stack
// trace: it runs, or stops with a UserError (a clear message with its place). Every warning
// names its file and line. The warning lists themselves change as elements gain support, so
// only their form is asserted.

const DIR = 'test/fixtures/esmini/xosc';
const files = readdirSync(DIR).filter((f) => f.endsWith('.xosc')).sort();

describe('the esmini corpus', () => {
  it('has scenarios to run', () => {
    expect(files.length).toBeGreaterThanOrEqual(13);
  });

  for (const name of files) {
    it(`${name}: loads and runs 3 s without an exception; warnings name file:line`, () => {
      const file = join(DIR, name);
      try {
        const scenario = loadScenario(file);
        for (const w of scenario.warnings) expect(w).toMatch(/^\S+\.xosc:\d+: \S/);
        const sim = new Simulation(scenario);
        for (let i = 0; i < Math.round(3 / scenario.step) && !sim.finished; i++) sim.step();
      } catch (error) {
        // A refusal is fine when it is a UserError that says where.
        if (!(error instanceof UserError)) throw error;
        expect(error.where ?? '').toMatch(/\.x(osc|odr)(:\d+)?/);
      }
    });
  }
});
