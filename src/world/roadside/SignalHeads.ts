import { materialId } from '../../core/materials.js';
import type { MeshBuilder } from '../../core/MeshBuilder.js';
import { classId } from '../../core/semantic.js';
import type { RoadNetwork } from '../../map/RoadNetwork.js';
import { signalPlacement, type Signal } from '../../map/Signal.js';

/** Signals lower than this are markings on the road (stop lines, esmini's crosswalk signals): nothing stands there. */
const MIN_STANDING_HEIGHT = 0.2;
/** A lamp's pitch in a head (m): 200 mm lenses (EN 12368's larger size) with their frame. */
const LAMP_PITCH = 0.3;
const HEAD_DEPTH = 0.25;
const POLE_WIDTH = 0.12;

/**
 * The map's signals as the sensors see them: a traffic or walk light as a pole with a black
 * head on top (one lamp pitch per lamp; class traffic_light), a sign as a post with its plate
 * (class traffic_sign, retroreflective face), both turned toward the traffic they govern.
 * OpenDRIVE's zOffset is the bottom of the signal above the road and height its own height;
 * a light whose zOffset is near the ground (maps that give the whole assembly's height) gets its
 * head at the top of that height.
 */
export function meshMapSignals(network: RoadNetwork, mesh: MeshBuilder): void {
  for (const road of network.roads) {
    for (const signal of road.signals) {
      if (signal.kind === 'stop_line' || signal.height < MIN_STANDING_HEIGHT) continue;
      const place = signalPlacement(road, signal);
      if (signal.kind === 'traffic_light' || signal.kind === 'pedestrian_light') meshLight(mesh, place, signal);
      else meshPlate(mesh, place, signal);
    }
  }
}

type Place = ReturnType<typeof signalPlacement>;

function meshLight(mesh: MeshBuilder, place: Place, signal: Signal): void {
  const lamps = Math.max(1, signal.lamps.length);
  const top = place.z + signal.zOffset + signal.height;
  const headHeight = Math.min(signal.height, lamps * LAMP_PITCH + 0.1);
  const headWidth = Math.min(Math.max(signal.width, 0.3), 0.5);
  const poleTop = top - headHeight;
  if (poleTop > place.z) mesh.box([place.x, place.y, (place.z + poleTop) / 2], [POLE_WIDTH, POLE_WIDTH, poleTop - place.z], place.facing, classId('pole'), materialId('metal_pole'));
  mesh.box([place.x, place.y, top - headHeight / 2], [HEAD_DEPTH, headWidth, headHeight], place.facing, classId('traffic_light'), materialId('plastic_black'));
}

function meshPlate(mesh: MeshBuilder, place: Place, signal: Signal): void {
  const bottom = place.z + signal.zOffset;
  const centre = bottom + signal.height / 2;
  if (centre > place.z) mesh.box([place.x, place.y, (place.z + centre) / 2], [0.08, 0.08, centre - place.z], place.facing, classId('pole'), materialId('metal_pole'));
  // The plate just in front of its post, 2 cm thick, its face toward `facing`.
  const c = Math.cos(place.facing), s = Math.sin(place.facing);
  mesh.box([place.x + c * 0.06, place.y + s * 0.06, centre], [0.02, Math.max(signal.width, 0.1), signal.height], place.facing, classId('traffic_sign'), materialId('sign_face'));
}
