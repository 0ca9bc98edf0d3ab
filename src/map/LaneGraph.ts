import { UserError } from '../core/errors.js';
import type { Junction, JunctionConnection } from './Junction.js';
import type { ContactPoint, Lane, Road } from './Road.js';

/** One lane of one lane section: the unit the graph and routes are made of. */
export interface LaneRef {
  road: string;
  section: number;
  lane: number;
}

export interface LaneNode extends LaneRef {
  key: string;
  /** Whether traffic runs towards +s. */
  forward: boolean;
  /** Length of the lane's centre line over its section (m). */
  length: number;
  s0: number;
  s1: number;
  successors: string[];
  predecessors: string[];
}

/** A position on a lane: road, lane id and s. */
export interface LanePosition {
  road: string;
  lane: number;
  s: number;
}

export interface Route {
  /** Length along the lane centre lines from the start position to the goal (m). */
  length: number;
  lanes: LaneRef[];
}

/** Lane types a vehicle may drive on, which are the graph's nodes. */
export const DRIVABLE_TYPES = new Set(['driving', 'entry', 'exit', 'onRamp', 'offRamp', 'connectingRamp', 'bidirectional', 'slipLane', 'bus', 'taxi', 'HOV', 'mwyEntry', 'mwyExit']);

/**
 * Most edges the graph may have. A town has a few thousand; junctions whose connections link
 * every lane to every lane could ask for billions.
 */
export const MAX_LANE_EDGES = 2_000_000;

export function laneKey(road: string, section: number, lane: number): string {
  return `${road}/${section}/${lane}`;
}

interface Across {
  road: Road;
  section: number;
  lane: number;
  /** Which end of that lane's section touches ours. */
  end: ContactPoint;
}

/**
 * The lanes of a network and which lanes traffic can move on to: along a road from one lane
 * section into the next (lane links, or the same id where the file gives none), across road
 * links (honouring contactPoint, so lanes may flip side and direction), and through
 * junctions (connection lane links). Right lanes run with s, left lanes against it (swapped
 * under left-hand traffic). An edge is added only where both lanes' directions agree.
 */
export class LaneGraph {
  readonly nodes = new Map<string, LaneNode>();
  /** Each junction's connections by incoming road, so a lane looks only at its own. */
  readonly #incoming = new Map<string, Map<string, JunctionConnection[]>>();
  /** Edges added, as `from\0to`, to add each once without scanning the lists. */
  readonly #edges = new Set<string>();

  constructor(
    private readonly roads: ReadonlyMap<string, Road>,
    private readonly junctions: ReadonlyMap<string, Junction>,
    types = DRIVABLE_TYPES,
    /** The map file, for messages. */
    private readonly file = '',
  ) {
    for (const junction of junctions.values()) {
      const byRoad = new Map<string, JunctionConnection[]>();
      for (const connection of junction.connections) {
        const list = byRoad.get(connection.incomingRoad);
        if (list) list.push(connection);
        else byRoad.set(connection.incomingRoad, [connection]);
      }
      this.#incoming.set(junction.id, byRoad);
    }
    for (const road of roads.values()) {
      road.sections.forEach((section, i) => {
        for (const lane of [...section.left, ...section.right]) {
          if (!types.has(lane.type)) continue;
          const key = laneKey(road.id, i, lane.id);
          this.nodes.set(key, {
            road: road.id, section: i, lane: lane.id, key, forward: road.laneRunsWithS(lane.id),
            length: centreLength(road, i, lane.id), s0: section.s, s1: section.end, successors: [], predecessors: [],
          });
        }
      });
    }
    for (const node of this.nodes.values()) {
      const road = roads.get(node.road)!;
      const exit: ContactPoint = node.forward ? 'end' : 'start';
      for (const other of this.across(road, node.section, node.lane, exit)) this.link(node.key, other, true);
      for (const other of this.across(road, node.section, node.lane, exit === 'end' ? 'start' : 'end')) this.link(node.key, other, false);
    }
  }

  node(ref: LaneRef): LaneNode | undefined {
    return this.nodes.get(laneKey(ref.road, ref.section, ref.lane));
  }

  /**
   * Adds the edge between `key` and a lane across one of its ends, if traffic agrees: across
   * our exit the other lane must leave the shared point; across our entry it must arrive there.
   */
  private link(key: string, other: Across, atExit: boolean): void {
    const otherKey = laneKey(other.road.id, other.section, other.lane);
    const target = this.nodes.get(otherKey);
    if (!target) return;
    // A lane leaves the point at its section's start if it runs with s, at the end otherwise.
    const leaves = target.forward === (other.end === 'start');
    if (atExit && leaves) this.#addEdge(this.nodes.get(key)!, target);
    if (!atExit && !leaves) this.#addEdge(target, this.nodes.get(key)!);
  }

  #addEdge(from: LaneNode, to: LaneNode): void {
    const edge = `${from.key}\u0000${to.key}`;
    if (this.#edges.has(edge)) return;
    this.#edges.add(edge);
    from.successors.push(to.key);
    to.predecessors.push(from.key);
    if (this.#edges.size > MAX_LANE_EDGES) {
      const road = this.roads.get(from.road)!;
      throw new UserError(`road ${road.id}: the lane graph has more than ${MAX_LANE_EDGES.toLocaleString('en-US')} edges here (lanes joined across sections, road links and junction lane links); the map is too large or its junctions link too many lanes`, `${this.file || '<map>'}:${road.line}`);
    }
  }

  /** The lanes that touch one end of a lane, across the section boundary, road link or junction. */
  private across(road: Road, sectionIndex: number, laneId: number, end: ContactPoint): Across[] {
    const section = road.sections[sectionIndex];
    const lane = findLane(section.left, section.right, laneId)!;
    const linkedId = end === 'end' ? lane.successor : lane.predecessor;
    const inner = end === 'end' ? sectionIndex + 1 : sectionIndex - 1;
    if (inner >= 0 && inner < road.sections.length) {
      const id = road.continuation(sectionIndex, laneId, end);
      return id !== undefined ? [{ road, section: inner, lane: id, end: end === 'end' ? 'start' : 'end' }] : [];
    }
    const link = end === 'end' ? road.successor : road.predecessor;
    if (!link) return [];
    if (link.elementType === 'road') {
      const other = this.roads.get(link.elementId);
      if (!other) return [];
      const contact = link.contactPoint ?? (end === 'end' ? 'start' : 'end');
      // Without a lane link, a lane continues into the same id only across a plain end-to-start joint.
      const id = linkedId ?? (contact !== end ? laneId : undefined);
      if (id === undefined) return [];
      return this.onRoadEnd(other, contact, id);
    }
    const junction = this.junctions.get(link.elementId);
    if (!junction) return [];
    const out: Across[] = [];
    for (const connection of this.#incoming.get(junction.id)?.get(road.id) ?? []) {
      const connecting = this.roads.get(connection.connectingRoad);
      if (!connecting) continue;
      // An incoming road touching the junction at both ends: keep the connections whose
      // connecting road links back to this end.
      const back = connection.contactPoint === 'start' ? connecting.predecessor : connecting.successor;
      if (back && back.elementType === 'road' && back.elementId === road.id && back.contactPoint && back.contactPoint !== end) continue;
      for (const pair of connection.laneLinks) {
        if (pair.from === laneId) out.push(...this.onRoadEnd(connecting, connection.contactPoint, pair.to));
      }
    }
    return out;
  }

  private onRoadEnd(road: Road, contact: ContactPoint, laneId: number): Across[] {
    const section = contact === 'start' ? 0 : road.sections.length - 1;
    const s = road.sections[section];
    return findLane(s.left, s.right, laneId) ? [{ road, section, lane: laneId, end: contact }] : [];
  }

  /**
   * The shortest way along lane centre lines from one lane position to another (Dijkstra by
   * length), or undefined when the goal cannot be reached by following lanes.
   */
  route(from: LanePosition, to: LanePosition): Route | undefined {
    const start = this.nodeAt(from);
    const goal = this.nodeAt(to);
    if (!start || !goal) return undefined;
    const along = (node: LaneNode, s: number): number => {
      // Distance from the node's entry to s, scaled from s to the centre line's length.
      const span = node.s1 - node.s0;
      const f = span > 0 ? (node.forward ? s - node.s0 : node.s1 - s) / span : 0;
      return Math.min(Math.max(f, 0), 1) * node.length;
    };
    const startAlong = along(start, from.s);
    const goalAlong = along(goal, to.s);
    if (start === goal && goalAlong >= startAlong) {
      return { length: goalAlong - startAlong, lanes: [refOf(start)] };
    }
    const dist = new Map<string, number>();
    const previous = new Map<string, string>();
    const heap = new MinHeap();
    for (const next of start.successors) {
      const d = start.length - startAlong;
      if (d < (dist.get(next) ?? Infinity)) {
        dist.set(next, d);
        previous.set(next, start.key);
        heap.push(d, next);
      }
    }
    const done = new Set<string>();
    while (heap.size > 0) {
      const [d, key] = heap.pop();
      if (done.has(key)) continue;
      done.add(key);
      if (key === goal.key) {
        const lanes: LaneRef[] = [];
        let k: string | undefined = key;
        lanes.push(refOf(goal));
        while ((k = previous.get(k)) !== undefined) {
          lanes.push(refOf(this.nodes.get(k)!));
          if (k === start.key) break;
        }
        return { length: d + goalAlong, lanes: lanes.reverse() };
      }
      const node = this.nodes.get(key)!;
      for (const next of node.successors) {
        const nd = d + node.length;
        if (nd < (dist.get(next) ?? Infinity)) {
          dist.set(next, nd);
          previous.set(next, key);
          heap.push(nd, next);
        }
      }
    }
    return undefined;
  }

  private nodeAt(position: LanePosition): LaneNode | undefined {
    const road = this.roads.get(position.road);
    if (!road) return undefined;
    return this.nodes.get(laneKey(road.id, road.sectionIndexAt(position.s), position.lane));
  }
}

function refOf(node: LaneNode): LaneRef {
  return { road: node.road, section: node.section, lane: node.lane };
}

function findLane(left: readonly Lane[], right: readonly Lane[], id: number): Lane | undefined {
  return (id > 0 ? left : right).find((l) => l.id === id);
}

/**
 * Length of a lane's centre line over its section: polylines of n and 2n chords, combined by
 * Richardson extrapolation (a polyline's error falls as 1/n²), exact to well under a millimetre.
 */
function centreLength(road: Road, sectionIndex: number, laneId: number): number {
  const section = road.sections[sectionIndex];
  const n = Math.max(8, Math.ceil(section.end - section.s));
  const points: { x: number; y: number; z: number }[] = [];
  for (let i = 0; i <= 2 * n; i++) {
    const s = section.s + ((section.end - section.s) * i) / (2 * n);
    points.push(road.pose(s, road.laneCenterT(laneId, s, section)));
  }
  const polyline = (stride: number): number => {
    let length = 0;
    for (let i = stride; i < points.length; i += stride) {
      const a = points[i - stride], b = points[i];
      length += Math.hypot(b.x - a.x, b.y - a.y, b.z - a.z);
    }
    return length;
  };
  return (4 * polyline(1) - polyline(2)) / 3;
}

/** A binary heap of (priority, key), smallest first. */
class MinHeap {
  private readonly items: [number, string][] = [];

  get size(): number {
    return this.items.length;
  }

  push(priority: number, key: string): void {
    const a = this.items;
    a.push([priority, key]);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (a[parent][0] <= a[i][0]) break;
      [a[parent], a[i]] = [a[i], a[parent]];
      i = parent;
    }
  }

  pop(): [number, string] {
    const a = this.items;
    const top = a[0];
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && a[l][0] < a[m][0]) m = l;
        if (r < a.length && a[r][0] < a[m][0]) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i], a[m]];
        i = m;
      }
    }
    return top;
  }
}
