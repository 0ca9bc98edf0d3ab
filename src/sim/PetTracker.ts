import type { RoadNetwork } from '../map/RoadNetwork.js';
import { conflictAreas, gridKey, occupies, type ConflictArea } from './ConflictAreas.js';
import type { MovingBox } from './Criticality.js';

/** One post-encroachment time: the ego and another actor through one conflict area. */
export interface PetMeasure {
  /** When the second of the two entered the area (s). */
  time: number;
  id: string;
  area: string;
  /** Seconds from the first one's leaving the area to the second one's entering it; 0 when both were in it at once. */
  pet: number;
}

/** PETs longer than this (s) are not encroachments worth a record: two passes minutes apart. */
export const PET_HORIZON = 10;
/** Side of the squares the areas are bucketed in for lookup (m). */
const BUCKET = 20;

interface Visit {
  enter: number;
  leave?: number;
}

/**
 * Post-encroachment time (Allen, Shin and Cooper, "Analysis of Traffic Conflicts and
 * Collisions", Transportation Research Record 667, 1978; as catalogued by Westhofen et al.
 * 2023): for the ego and another actor passing through the same conflict area of the map
 * (ConflictAreas.ts), the time from the first one leaving it to the second one entering it,
 * measured when the second enters. Each actor's latest visit of each area is kept.
 */
export class PetTracker {
  private areas: ConflictArea[] | undefined;
  private readonly buckets = new Map<number, ConflictArea[]>();
  private readonly visits = new Map<ConflictArea, Map<string, Visit>>();
  private readonly inside = new Map<string, Set<ConflictArea>>();

  constructor(private readonly network: RoadNetwork) {}

  /** After a step: every actor's footprint against the areas near it; returns the PETs the ego completed with another now. */
  update(time: number, egoId: string, boxes: ReadonlyMap<string, MovingBox>): PetMeasure[] {
    this.build();
    const found: PetMeasure[] = [];
    const entered: [string, ConflictArea][] = [];
    for (const [id, box] of boxes) {
      const now = new Set<ConflictArea>();
      for (const area of this.near(box)) if (occupies(box, area)) now.add(area);
      const before = this.inside.get(id) ?? new Set<ConflictArea>();
      for (const area of before) if (!now.has(area)) this.visitsOf(area).get(id)!.leave = time;
      for (const area of now) {
        if (before.has(area)) continue;
        this.visitsOf(area).set(id, { enter: time });
        entered.push([id, area]);
      }
      this.inside.set(id, now);
    }
    // After every actor's state is known this tick: an entry by the ego or by another against the other's last visit.
    for (const [id, area] of entered) {
      const visits = this.visitsOf(area);
      const pairs = id === egoId ? [...visits.keys()].filter((o) => o !== egoId) : visits.has(egoId) ? [id] : [];
      for (const other of pairs) {
        const first = id === egoId ? visits.get(other)! : visits.get(egoId)!;
        if (first.enter === time && id !== egoId) continue; // both entered now: counted once, from the ego's side
        const pet = first.leave === undefined ? 0 : time - first.leave;
        if (pet <= PET_HORIZON) found.push({ time, id: other, area: area.id, pet });
      }
    }
    return found;
  }

  private visitsOf(area: ConflictArea): Map<string, Visit> {
    let v = this.visits.get(area);
    if (!v) this.visits.set(area, (v = new Map()));
    return v;
  }

  /** The map's areas, built at the first step (a map without junctions or crosswalks has none). */
  private build(): void {
    if (this.areas) return;
    this.areas = conflictAreas(this.network);
    for (const area of this.areas) {
      const [x0, y0, x1, y1] = area.bounds;
      for (let i = Math.floor(x0 / BUCKET); i <= Math.floor(x1 / BUCKET); i++) {
        for (let j = Math.floor(y0 / BUCKET); j <= Math.floor(y1 / BUCKET); j++) {
          const list = this.buckets.get(gridKey(i, j)) ?? [];
          list.push(area);
          this.buckets.set(gridKey(i, j), list);
        }
      }
    }
  }

  /** The areas in the buckets a footprint's bounding circle reaches. */
  private near(box: MovingBox): Set<ConflictArea> {
    const r = Math.hypot(box.length, box.width) / 2;
    const out = new Set<ConflictArea>();
    for (let i = Math.floor((box.x - r) / BUCKET); i <= Math.floor((box.x + r) / BUCKET); i++) {
      for (let j = Math.floor((box.y - r) / BUCKET); j <= Math.floor((box.y + r) / BUCKET); j++) {
        for (const area of this.buckets.get(gridKey(i, j)) ?? []) out.add(area);
      }
    }
    return out;
  }
}
