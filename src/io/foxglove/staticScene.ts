/**
 * The static scene a viewer draws under the frames: the road mesh (and, for a live run, the
 * same ground and roadside dressing the sensors see), as a triangle soup with one semantic
 * class per triangle. Shared by the browser viewer (served as /map.glb) and Foxglove (a
 * SceneUpdate of triangle lists), so both show the scene the point clouds were cast against.
 */
import { UserError } from '../../core/errors.js';
import { FILE_LIMITS, formatBytes } from '../../core/UserFile.js';
import { ROADCAST_VERSION } from '../../core/version.js';
import { buildRoadMesh } from '../../map/RoadMesh.js';
import { parseOpenDrive } from '../../map/OpenDriveReader.js';
import type { RoadNetwork } from '../../map/RoadNetwork.js';
import { planRoadside, type DressingOptions } from '../../world/RoadsideDressing.js';
import { buildStaticWorld, staticActorsMesh } from '../../world/StaticWorld.js';
import { writeGlb } from '../GlbWriter.js';
import { readAttachment } from '../McapSource.js';

export interface StaticScene {
  /** Triangles, 9 floats each (x, y, z per corner, world frame, z up). */
  positions: Float32Array;
  /** One semantic class id per triangle. */
  classes: Uint8Array;
}

/**
 * The static world of a run, from the same roadside plan the run's world and simulation get
 * (same seed, same building count): road, ground, scenery, and the parked cars, which never
 * move (the sensors see them as actors; a viewer draws them with the map, and their boxes
 * from the ground truth).
 */
export function runStaticScene(network: RoadNetwork, seed: number, dressing: DressingOptions): StaticScene {
  const roadside = planRoadside(network, seed, dressing);
  const mesh = buildStaticWorld(network, roadside);
  mesh.append(staticActorsMesh(roadside.parkedCars, seed));
  const soup = mesh.soup();
  return { positions: soup.positions, classes: soup.classes };
}

/** The road surfaces of a network alone (no ground or dressing). */
export function roadScene(network: RoadNetwork): StaticScene {
  const soup = buildRoadMesh(network).soup();
  return { positions: soup.positions, classes: soup.classes };
}

/**
 * The road mesh of a recording, from the OpenDRIVE map roadcast attaches to every recording
 * (`map/<name>.xodr`). The roadside dressing depends on the scenario's building count, which a
 * recording does not state on its own, so only the roads are drawn. Undefined when the file
 * has no map attachment (a recording from another tool). A damaged attachment is a UserError,
 * the map read with the limits and checks of any map file.
 */
export async function recordingScene(path: string): Promise<StaticScene | undefined> {
  const attachment = await readAttachment(path, (name) => name.startsWith('map/') && name.endsWith('.xodr'));
  if (!attachment) return undefined;
  const where = `${path} (attachment ${attachment.name})`;
  if (attachment.data.byteLength > FILE_LIMITS.map) throw new UserError(`the map is ${formatBytes(attachment.data.byteLength)}; a map may be at most ${formatBytes(FILE_LIMITS.map)}`, where);
  return roadScene(parseOpenDrive(new TextDecoder().decode(attachment.data), where));
}

/** The scene as binary glTF (y up, one mesh per class), for the browser viewer. */
export function sceneGlb(scene: StaticScene): Uint8Array {
  return writeGlb(scene.positions, scene.classes, `roadcast ${ROADCAST_VERSION}`);
}
