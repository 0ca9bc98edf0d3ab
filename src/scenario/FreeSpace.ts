import { RoadNetwork } from '../map/RoadNetwork.js';

/**
 * The road network of an OpenSCENARIO file without one (no RoadNetwork, no LogicFile, or an
 * empty path): free space. It has no roads, so entities placed by WorldPosition keep their
 * heading and speed and move on straight lines (no lane keeping; a LaneChangeAction has no
 * lane to go to), relative positions work in world coordinates, and the sensors see the flat
 * ground plane at z = 0 that the static world lays under every map (see StaticWorld.ts).
 */
export function freeSpaceNetwork(): RoadNetwork {
  return new RoadNetwork('free space', []);
}
