import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { addMapCommands } from '../../src/cli/mapCommands.js';
import { UserError } from '../../src/core/errors.js';

/** Runs `roadcast map ...` in-process and returns what it printed. */
async function runMap(args: string[]): Promise<string> {
  const program = new Command('roadcast').exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
  addMapCommands(program);
  const lines: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => { lines.push(parts.join(' ')); });
  try {
    await program.parseAsync(['node', 'roadcast', 'map', ...args]);
  } finally {
    log.mockRestore();
  }
  return lines.join('\n');
}

describe('roadcast map', () => {
  afterEach(() => vi.restoreAllMocks());

  it('info --json prints one object with roads, junctions, length, bbox, lanes by type and warnings', async () => {
    const info = JSON.parse(await runMap(['info', 'test/fixtures/esmini/xodr/straight_500m.xodr', '--json']));
    expect(info).toMatchObject({ roads: 1, junctions: 0, length_m: 500 });
    // Left: border, shoulder, driving; right: driving, shoulder, border (widths 3.07, 1.68, 6).
    expect(info.lanes).toEqual({ border: 2, driving: 2, shoulder: 2 });
    expect(info.bbox.minX).toBeCloseTo(0, 9);
    expect(info.bbox.maxX).toBeCloseTo(500, 9);
    expect(info.bbox.maxY).toBeCloseTo(3.07 + 1.68 + 6, 9);
    expect(info.warnings).toEqual([]);
  });

  it('info --roads lists every road with its length and each lane section\'s lanes', async () => {
    const info = JSON.parse(await runMap(['info', 'test/fixtures/esmini/xodr/straight_500m.xodr', '--roads', '--json']));
    // One road of 500 m, one lane section: lanes 3..1 on the left, -1..-3 on the right (the XML's own order).
    expect(info.road_list).toEqual([{
      id: '1', name: '', length_m: 500,
      sections: [{ s: 0, end: 500, lanes: [
        { id: 3, type: 'border' }, { id: 2, type: 'shoulder' }, { id: 1, type: 'driving' },
        { id: -1, type: 'driving' }, { id: -2, type: 'shoulder' }, { id: -3, type: 'border' },
      ] }],
    }]);
    const text = await runMap(['info', 'maps/town.xodr', '--roads']);
    // The town: 132 roads, 108 of them inside its 9 junctions.
    expect(text.match(/^ {4}road \S+/gm)).toHaveLength(132);
    expect(text.match(/, in junction \d+$/gm)).toHaveLength(108);
    expect(text).toMatch(/^ {4}road 6 "street 6": [\d.]+ m\n {6}s 0\.0\.\.[\d.]+: 2 sidewalk, 1 driving, -1 driving, -2 sidewalk$/m);
  });

  it('info prints a readable summary with the warnings', async () => {
    const text = await runMap(['info', 'test/fixtures/esmini/xodr/straight_500m_signs.xodr']);
    expect(text).toContain('roads: 1');
    expect(text).toContain('junctions: 0');
    // 6 speed limits (StVO 274) and 13 signs of other countries' catalogues, each code warned about once.
    expect(text).toContain('signals: speed limit 6, sign 13');
    expect(text).toMatch(/straight_500m_signs\.xodr:124: road 1: <signal> of country "se", type "c", subtype "31" is not a kind roadcast knows: kept as a generic sign \(6 times\)/);
  });

  it('sample --json gives s, x, y, z, heading and every lane centre every step metres', async () => {
    const out = JSON.parse(await runMap(['sample', 'test/fixtures/esmini/xodr/straight_500m.xodr', '--road', '1', '--step', '100', '--json']));
    expect(out.samples.map((r: { s: number }) => r.s)).toEqual([0, 100, 200, 300, 400, 500]);
    const row = out.samples[2];
    expect(row).toMatchObject({ s: 200, x: 200, y: 0, heading: 0 });
    expect(row.lanes['1']).toBeCloseTo(3.07 / 2, 12);
    expect(row.lanes['-1']).toBeCloseTo(-3.07 / 2, 12);
    expect(row.lanes['3']).toBeCloseTo(3.07 + 1.68 + 3, 12);
  });

  it('sample prints a table and rejects an unknown road or a bad step', async () => {
    const text = await runMap(['sample', 'test/fixtures/esmini/xodr/straight_500m.xodr', '--road', '1', '--step', '250']);
    expect(text.split('\n')).toHaveLength(4);
    await expect(runMap(['sample', 'test/fixtures/esmini/xodr/straight_500m.xodr', '--road', '9'])).rejects.toThrow(UserError);
    await expect(runMap(['sample', 'test/fixtures/esmini/xodr/straight_500m.xodr', '--road', '1', '--step', '0'])).rejects.toThrow(/expected a length in metres > 0, got "0"/);
    await expect(runMap(['info', 'nope.xodr'])).rejects.toThrow('nope.xodr: cannot read the map: no such file');
  });
});
