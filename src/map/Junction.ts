import type { ContactPoint } from './Road.js';

export interface LaneLinkPair {
  /** Lane of the incoming road. */
  from: number;
  /** Lane of the connecting road. */
  to: number;
}

/**
 * One way through a junction: from the incoming road into the connecting road, which it
 * enters at `contactPoint`. In a direct junction (OpenDRIVE 1.7) the "connecting" road is
 * the linked road itself.
 */
export interface JunctionConnection {
  id: string;
  incomingRoad: string;
  connectingRoad: string;
  contactPoint: ContactPoint;
  laneLinks: LaneLinkPair[];
  line: number;
}

export interface Junction {
  id: string;
  name: string;
  /** default, virtual, direct, crossing. */
  type: string;
  connections: JunctionConnection[];
  /** The signal controllers of the junction (OpenDRIVE <controller id type sequence>), in file order. */
  controllers?: { id: string; type: string; sequence?: number }[];
  line: number;
}
