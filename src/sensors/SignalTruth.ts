import { arrayField, FRAME_VERSION, type Frame } from '../core/frame.js';
import type { RoadNetwork } from '../map/RoadNetwork.js';
import { governedLanes, signalPlacement, type Signal } from '../map/Signal.js';
import type { SignalState } from '../sim/TrafficSignals.js';
import { signalBodies, type SignalBody } from '../world/roadside/SignalHeads.js';

/** The topic of the signals' ground truth. */
export const SIGNALS_TOPIC = 'ground_truth/signals';
/** How often the topic repeats when nothing changes (s): a late subscriber learns the states within it. */
const REPEAT_S = 1;

/**
 * Ground truth of the map's traffic signals and signs: each signal's id, kind, place (world x,
 * y, z of its base plus zOffset), facing (the world heading its face points along, toward the
 * traffic it governs: against the road's heading for orientation "+", along it for "-", turned
 * by hOffset), size, state ("red", "amber", "green", "off"; "" for a sign) and the lanes it
 * governs (`road:lane`, comma-separated); for one that stands (a light's head, a sign's plate:
 * not a stop line) the instance id its pixels and points carry and the box the sensors see of
 * it (centre, and length along the facing, width, height). A frame goes out at the first step,
 * at every step where a state changes, and at least every second.
 */
export class SignalTruth {
  private readonly signals: Signal[];
  private readonly position: Float64Array;
  private readonly facing: Float32Array;
  private readonly size: Float32Array;
  private readonly lanes: string[];
  private readonly instanceIds: Uint32Array;
  private readonly bodies: Float32Array;
  private last = '';
  private lastNs = -Infinity;
  private seq = 0;

  /** `bodies`: the world's signal bodies (World.signalBodies), made from the map when not given. */
  constructor(network: RoadNetwork, bodies: readonly SignalBody[] = signalBodies(network)) {
    this.signals = network.signals();
    const n = this.signals.length;
    this.position = new Float64Array(n * 3);
    this.facing = new Float32Array(n);
    this.size = new Float32Array(n * 2);
    this.lanes = [];
    this.signals.forEach((signal, i) => {
      const road = network.road(signal.roadId);
      const place = signalPlacement(road, signal);
      this.position.set([place.x, place.y, place.z + signal.zOffset], i * 3);
      this.facing[i] = place.facing;
      this.size.set([signal.width, signal.height], i * 2);
      this.lanes.push(governedLanes(road, signal).map((lane) => `${signal.roadId}:${lane}`).join(','));
    });
    this.instanceIds = new Uint32Array(n);
    this.bodies = new Float32Array(n * 6);
    const index = new Map(this.signals.map((signal, i) => [signal, i]));
    for (const body of bodies) {
      const i = index.get(body.signal);
      if (i === undefined) continue;
      this.instanceIds[i] = body.instanceId;
      this.bodies.set([...body.box.centre, body.box.length, body.box.width, body.box.height], i * 6);
    }
  }

  /** Whether the map has any signal to report. */
  get empty(): boolean {
    return this.signals.length === 0;
  }

  /** The frame for the step ending at `tNs`, or undefined when nothing changed within the repeat time. */
  /**
   * `table`: the step's world state's `signals` (absent: every light off), so the states are
   * the ones the simulation published and the sensors saw, not computed again here.
   */
  advance(tNs: number, table: Readonly<Record<string, SignalState>> | undefined): Frame | undefined {
    const states = this.signals.map((s) => (s.dynamic ? table?.[s.id] ?? 'off' : ''));
    const key = states.join(',');
    if (key === this.last && tNs - this.lastNs < REPEAT_S * 1e9 - 1) return undefined;
    this.last = key;
    this.lastNs = tNs;
    const n = this.signals.length;
    return {
      v: FRAME_VERSION,
      topic: SIGNALS_TOPIC,
      kind: 'signals',
      seq: this.seq++,
      t_ns: tNs,
      frame_id: 'world',
      pose: { p: [0, 0, 0], q: [0, 0, 0, 1] },
      fields: {
        ids: this.signals.map((s) => s.id),
        roads: this.signals.map((s) => s.roadId),
        kinds: this.signals.map((s) => s.kind),
        states,
        lanes: this.lanes,
        bodies: 'per signal: centre x, y, z (world), length along the facing, width, height (m) of what stands; zeros and instance id 0 for a marking',
      },
      data: {
        positions: arrayField(this.position, [n, 3]),
        facing: arrayField(this.facing, [n]),
        sizes: arrayField(this.size, [n, 2]),
        instance_ids: arrayField(this.instanceIds, [n]),
        bodies: arrayField(this.bodies, [n, 6]),
      },
    };
  }
}
