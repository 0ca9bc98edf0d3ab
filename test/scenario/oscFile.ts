/**
 * OpenSCENARIO files written for a test: the header, a map (an OpenDRIVE file of the fixtures),
 * the entities, Init's actions and the Story, in a fresh temporary folder per test file.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export interface OscParts {
  /** The road network's file, relative to the repository (e.g. test/fixtures/esmini/xodr/straight_500m.xodr). */
  map: string;
  entities: string;
  init: string;
  story?: string;
  /** CatalogLocations, written after the FileHeader. */
  catalogs?: string;
  /** FileHeader revMinor (default 1). */
  revMinor?: number;
}

/** A writer of test scenarios into its own temporary folder: `write(name, parts)` returns the file's path. */
export function oscWriter(prefix: string): (name: string, parts: OscParts) => string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return (name, { map, entities, init, story = '', catalogs = '', revMinor = 1 }) => {
    const file = join(dir, name);
    writeFileSync(file, `<?xml version="1.0" encoding="UTF-8"?>
<OpenSCENARIO><FileHeader revMajor="1" revMinor="${revMinor}" date="2026-01-01T00:00:00" description="${name}" author="roadcast tests"/>${catalogs}
<RoadNetwork><LogicFile filepath="${resolve(map)}"/></RoadNetwork>
<Entities>${entities}</Entities>
<Storyboard><Init><Actions>${init}</Actions></Init>${story}
<StopTrigger/></Storyboard></OpenSCENARIO>`);
    return file;
  };
}
