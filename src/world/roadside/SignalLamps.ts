import type { LampColour } from '../../map/Signal.js';
import { flashLit } from '../../sim/TrafficSignals.js';

/**
 * The lamps of the map's lights and which of them are lit, as the camera needs them: the lens
 * geometry is static (SignalHeads.ts draws it into the static mesh), the lit set changes with
 * the signals' states. A lens surface carries only its class and material (lamp_red, ...), so
 * a pixel finds its lamp by where it lies: within a lit lens's thin box. Lenses of one head lie
 * a pitch apart (more than their size) and back-to-back heads' lenses a head's depth apart, so
 * a point is in one lens at most; the answer is a pure function of the point and the table, the
 * same on every thread.
 */

/** One lamp's lens: centre (world), the head's facing as cos and sin, half its side (m), and what it belongs to. */
export interface SignalLamp {
  signalId: string;
  colour: LampColour;
  centre: [number, number, number];
  facing: number;
  half: number;
}

/** Numbers per lit lamp in a LitLamps table: x, y, z, cos(facing), sin(facing), half side. */
export const LIT_LAMP_STRIDE = 6;

/**
 * The lit lamps of a state, LIT_LAMP_STRIDE numbers each, sorted by x (then y, z) so that a
 * lookup bisects on x: small enough to travel with every camera frame to the pool's workers.
 */
export type LitLamps = Float64Array;

/** How far outside its lens a surface point may lie and still be the lens's (m): float32 hit points, the lens box's edges. */
const SLACK = 0.02;
/** Half the lens box's depth along the facing (m), with the slack (SignalHeads.ts draws it 2 cm thick). */
const DEPTH = 0.01 + SLACK;

/**
 * The table of the lamps lit under `states` (signal id → 'red' | 'amber' | 'green' | 'off' |
 * 'flashing_red' | 'flashing_amber') at `tNs`: a lamp is lit when its signal shows its colour,
 * or flashes it and the flash is on (TrafficSignals.flashLit).
 */
export function litLamps(lamps: readonly SignalLamp[], states: Readonly<Record<string, string>> | undefined, tNs = 0): LitLamps {
  if (!states) return new Float64Array(0);
  const flash = flashLit(tNs);
  const lit = lamps.filter((l) => states[l.signalId] === l.colour || (flash && states[l.signalId] === `flashing_${l.colour}`));
  lit.sort((a, b) => a.centre[0] - b.centre[0] || a.centre[1] - b.centre[1] || a.centre[2] - b.centre[2]);
  const out = new Float64Array(lit.length * LIT_LAMP_STRIDE);
  lit.forEach((l, k) => out.set([l.centre[0], l.centre[1], l.centre[2], Math.cos(l.facing), Math.sin(l.facing), l.half], k * LIT_LAMP_STRIDE));
  return out;
}

/** Whether the world point (x, y, z) lies on a lit lens of the table. */
export function onLitLamp(table: LitLamps, x: number, y: number, z: number): boolean {
  const n = table.length / LIT_LAMP_STRIDE;
  if (n === 0) return false;
  // The first lamp whose centre x is at least x minus the largest reach (a lens is at most 0.2 m wide: 0.1 + slack + depth).
  const reach = 0.1 + SLACK + DEPTH;
  let lo = 0, hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (table[mid * LIT_LAMP_STRIDE] < x - reach) lo = mid + 1;
    else hi = mid;
  }
  for (let k = lo; k < n; k++) {
    const o = k * LIT_LAMP_STRIDE;
    const dx = x - table[o];
    if (dx > reach) break;
    const dy = y - table[o + 1], dz = z - table[o + 2];
    const c = table[o + 3], s = table[o + 4], half = table[o + 5] + SLACK;
    // Along the facing (the lens's depth), across it, and up.
    if (Math.abs(dx * c + dy * s) <= DEPTH && Math.abs(-dx * s + dy * c) <= half && Math.abs(dz) <= half) return true;
  }
  return false;
}
