import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mapInfo } from '../../src/map/MapInfo.js';
import { readOpenDrive } from '../../src/map/OpenDriveReader.js';
import type { Road } from '../../src/map/Road.js';
import { buildRoadMesh, tessellateSection } from '../../src/map/RoadMesh.js';

const ESMINI = 'test/fixtures/esmini/xodr';
const QC = 'test/fixtures/qc-opendrive';
const files = [
  ...readdirSync(ESMINI).filter((f) => f.endsWith('.xodr')).sort().map((f) => `${ESMINI}/${f}`),
  ...readdirSync(QC).filter((f) => f.endsWith('.xodr')).sort().map((f) => `${QC}/${f}`),
];

/** Largest distance between a lane's borders where one lane section ends and the next begins. */
function worstSectionGap(road: Road): number {
  let worst = 0;
  for (let i = 1; i < road.sections.length; i++) {
    const a = tessellateSection(road, road.sections[i - 1]);
    const b = tessellateSection(road, road.sections[i]);
    // The last station of one section and the first of the next must be the same s.
    expect(a.stations[a.stations.length - 1]).toBe(b.stations[0]);
    const last = a.borders[a.borders.length - 1];
    const first = b.borders[0];
    a.ids.forEach((id, k) => {
      // Compare a lane's outer border with that of the lane continuing it in the next section.
      const next = id === 0 ? 0 : road.continuation(i - 1, id, 'end');
      const j = next === undefined ? -1 : b.ids.indexOf(next);
      if (j < 0) return;
      worst = Math.max(worst, Math.hypot(last[k * 3] - first[j * 3], last[k * 3 + 1] - first[j * 3 + 1], last[k * 3 + 2] - first[j * 3 + 2]));
    });
  }
  return worst;
}

describe('maps written by other tools', () => {
  it('finds the corpus', () => {
    expect(files.length).toBeGreaterThanOrEqual(16);
  });

  for (const file of files) {
    const name = file.split('/').pop()!;
    it(`${name}: loads, counts roads and junctions, tessellates without gaps between lane sections`, () => {
      const text = readFileSync(file, 'utf8');
      const network = readOpenDrive(file);
      const info = mapInfo(network);
      expect(info.roads).toBe(text.match(/<road[\s>]/g)!.length);
      expect(info.junctions).toBe((text.match(/<junction[\s>]/g) ?? []).length);
      const lengths = [...text.matchAll(/<road\s[^>]*?\blength="([^"]+)"/g)].reduce((sum, m) => sum + Number(m[1]), 0);
      expect(info.length_m).toBeCloseTo(lengths, 6);
      expect(Object.values(info.lanes).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
      expect(info.bbox.maxX).toBeGreaterThan(info.bbox.minX);

      const soup = buildRoadMesh(network).soup();
      expect(soup.classes.length).toBeGreaterThan(0);
      expect(soup.positions.every(Number.isFinite)).toBe(true);
      for (const road of network.roads) expect(worstSectionGap(road), `road ${road.id}`).toBeLessThan(1e-6);
    });
  }
});
