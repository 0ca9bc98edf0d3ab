import type { RoadNetwork } from '../map/RoadNetwork.js';
import { governedLanes, stopLineBefore, stopLinesOf } from '../map/Signal.js';
import type { SimActor } from './Actor.js';

/**
 * Critical gap (s) a driver at a stop or give-way sign accepts in the priority traffic: the
 * Highway Capacity Manual's base critical headway for the minor-street through movement at a
 * two-way stop-controlled intersection on a two-lane major street, 6.5 s (HCM 6th ed., 2016,
 * Exhibit 20-11; 7.1 s for a left turn, 6.2 s for a right turn, taken here as one value).
 */
export const CRITICAL_GAP = 6.5;
/** Speed (m/s) under which a vehicle counts as stopped at a stop sign. */
const STOPPED = 0.1;
/** How far before the stop line a vehicle may stand and count as having stopped there (m). */
const STOP_ZONE = 2;
/** How far before a sign its stop line may lie (m). */
const STOP_LINE_REACH = 15;
/** Priority traffic farther from the junction than this is not looked at (m). */
const VIEW = 120;

/** Where drivers of a minor road yield: the line on their lanes before a stop or give-way sign, into a junction. */
export interface YieldPoint {
  signalId: string;
  kind: 'stop' | 'giveWay';
  roadId: string;
  s: number;
  /** The junction the governed lanes lead into. */
  junction: string;
}

/**
 * Stop and give-way signs (StVO 206 and 205): a driver stops fully at a stop sign's line, and
 * at either sign waits at the line while priority traffic is in the junction or reaches it
 * within CRITICAL_GAP (gap acceptance); traffic whose own lane is signed to yield into that
 * junction is not priority traffic.
 */
export class Yielding {
  /** Yield points by `road:lane`. */
  readonly byLane = new Map<string, YieldPoint[]>();
  /** The lanes (`road:lane`) that yield into each junction. */
  private readonly yieldingInto = new Map<string, Set<string>>();
  private readonly stopped = new Map<SimActor, YieldPoint>();

  constructor(private readonly network: RoadNetwork) {
    for (const road of network.roads) {
      const lines = stopLinesOf(road);
      for (const signal of road.signals) {
        if (signal.kind !== 'stop_sign' && signal.kind !== 'give_way_sign') continue;
        for (const lane of governedLanes(road, signal)) {
          const forward = road.laneRunsWithS(lane);
          const link = forward ? road.successor : road.predecessor;
          if (link?.elementType !== 'junction') continue;
          // A stop line may stand a metre past its sign (the sign beside the line's near end).
          const line = stopLineBefore(lines, lane, forward, signal.s, STOP_LINE_REACH, 1);
          const point: YieldPoint = { signalId: signal.id, kind: signal.kind === 'stop_sign' ? 'stop' : 'giveWay', roadId: road.id, s: line ? line.s : signal.s, junction: link.elementId };
          const key = `${road.id}:${lane}`;
          this.byLane.set(key, [...(this.byLane.get(key) ?? []), point]);
          const into = this.yieldingInto.get(link.elementId) ?? new Set<string>();
          into.add(key);
          this.yieldingInto.set(link.elementId, into);
        }
      }
    }
  }

  get empty(): boolean {
    return this.byLane.size === 0;
  }

  /**
   * Whether the driver must wait at the yield point `gap` m ahead of its front bumper: a stop
   * sign it has not yet stopped at, or priority traffic it may not cross now.
   */
  mustWait(actor: SimActor, point: YieldPoint, gap: number, others: readonly SimActor[], alsoYields?: (road: string, lane: number) => boolean): boolean {
    if (point.kind === 'stop' && this.stopped.get(actor) !== point) {
      if (gap <= STOP_ZONE && Math.abs(actor.speed) < STOPPED) this.stopped.set(actor, point);
      else return true;
    }
    return this.priorityTrafficNear(actor, point.junction, others, alsoYields);
  }

  /**
   * A light flashing red as a stop sign's yield point: its stop line on `lane`, into the
   * junction the lane leads into ('' where it leads into none: a full stop, then on).
   */
  stopAt(signalId: string, roadId: string, lane: number, s: number): YieldPoint {
    const road = this.network.road(roadId);
    const link = road.laneRunsWithS(lane) ? road.successor : road.predecessor;
    return { signalId, kind: 'stop', roadId, s, junction: link?.elementType === 'junction' ? link.elementId : '' };
  }

  /** Forgets a driver's stop once it has passed the line. */
  passed(actor: SimActor): void {
    this.stopped.delete(actor);
  }

  /**
   * A vehicle in the junction, or one on a priority approach reaching it within CRITICAL_GAP;
   * `alsoYields` names lanes that yield for now besides the signed ones (a light flashing red).
   */
  private priorityTrafficNear(actor: SimActor, junction: string, others: readonly SimActor[], alsoYields?: (road: string, lane: number) => boolean): boolean {
    if (junction === '') return false;
    const yielding = this.yieldingInto.get(junction);
    for (const other of others) {
      if (other === actor || !other.active || !other.road || (other.kind.category !== 'vehicle' && other.kind.category !== 'cyclist')) continue;
      const road = this.network.road(other.road);
      if (road.junction === junction) return true;
      if (yielding?.has(`${other.road}:${other.lane}`) || alsoYields?.(other.road, other.lane)) continue;
      const forward = road.laneRunsWithS(other.lane);
      const link = forward ? road.successor : road.predecessor;
      if (link?.elementType !== 'junction' || link.elementId !== junction) continue;
      const distance = forward ? road.length - other.s - other.length / 2 : other.s - other.length / 2;
      if (distance < VIEW && distance / Math.max(other.speed, 0.5) < CRITICAL_GAP) return true;
    }
    return false;
  }
}
