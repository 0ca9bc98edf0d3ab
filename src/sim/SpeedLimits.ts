import { readUserText } from '../core/UserFile.js';
import { MAP_FILE } from '../map/OpenDriveReader.js';
import { parseXml, type XmlElement } from '../map/xml.js';
import type { RoadNetwork } from '../map/RoadNetwork.js';
import { governedLanes, speedLimitOf } from '../map/Signal.js';

const UNIT: Record<string, number> = { 'm/s': 1, 'km/h': 1 / 3.6, mph: 0.44704 };

/**
 * Speed limits from an OpenDRIVE file (the map reader does not keep them): per lane
 * (`<lane><speed max unit>`), else per road (`<type><speed>`), in m/s. Lane limits are kept
 * per road, lane section index and lane id; the first record of each applies to the whole section.
 */
export class SpeedLimits {
  private readonly lanes = new Map<string, number>();
  private readonly roads = new Map<string, number>();
  /** Speed-limit signs by road and lane id, in order of s, and whether the lane is driven along +s. */
  private readonly signs = new Map<string, { alongS: boolean; list: { s: number; v: number }[] }>();

  static read(file: string): SpeedLimits {
    const limits = new SpeedLimits();
    try {
      const root = parseXml(readUserText(file, MAP_FILE), file);
      for (const road of root.children.filter((c) => c.name === 'road')) limits.readRoad(road);
    } catch {
      // A map that cannot be read again here simply has no limits; the map reader reports errors.
    }
    return limits;
  }

  private readRoad(road: XmlElement): void {
    const id = road.attributes.id;
    for (const type of road.children.filter((c) => c.name === 'type')) {
      const speed = type.children.find((c) => c.name === 'speed');
      const v = speed ? toMs(speed) : undefined;
      if (v !== undefined && !this.roads.has(id)) this.roads.set(id, v);
    }
    const lanes = road.children.find((c) => c.name === 'lanes');
    let section = 0;
    for (const ls of lanes?.children.filter((c) => c.name === 'laneSection') ?? []) {
      for (const side of ls.children) {
        for (const lane of side.children.filter((c) => c.name === 'lane')) {
          const speed = lane.children.find((c) => c.name === 'speed');
          const v = speed ? toMs(speed) : undefined;
          if (v !== undefined) this.lanes.set(`${id}/${section}/${lane.attributes.id}`, v);
        }
      }
      section++;
    }
  }

  /**
   * Speed-limit signs (StVO 274 with a value, Signal.ts) of the network: each sets the limit of
   * the lanes it governs (its validity, else the lanes driven the way it faces) from its s on
   * along the road, over the lane's and road's records. Returns this.
   */
  withSigns(network: RoadNetwork): this {
    for (const road of network.roads) {
      for (const signal of road.signals) {
        const v = speedLimitOf(signal);
        if (v === undefined) continue;
        const lanes = governedLanes(road, signal);
        for (const lane of lanes) {
          const key = `${road.id}/${lane}`;
          const entry = this.signs.get(key) ?? { alongS: road.laneRunsWithS(lane), list: [] };
          entry.list.push({ s: signal.s, v });
          entry.list.sort((a, b) => a.s - b.s);
          this.signs.set(key, entry);
        }
      }
    }
    return this;
  }

  /**
   * The limit (m/s) on a lane at s: the last sign its traffic has passed (at or before s along
   * the lane's direction of travel), else the lane's record, else the road's.
   */
  limit(road: string, section: number, lane: number, s?: number): number | undefined {
    const signs = s === undefined ? undefined : this.signs.get(`${road}/${lane}`);
    if (signs && s !== undefined) {
      const list = signs.list;
      if (signs.alongS) {
        for (let k = list.length - 1; k >= 0; k--) if (list[k].s <= s) return list[k].v;
      } else {
        for (let k = 0; k < list.length; k++) if (list[k].s >= s) return list[k].v;
      }
    }
    return this.lanes.get(`${road}/${section}/${lane}`) ?? this.roads.get(road);
  }
}

function toMs(speed: XmlElement): number | undefined {
  const max = Number(speed.attributes.max);
  if (!Number.isFinite(max) || max <= 0) return undefined;
  return max * (UNIT[speed.attributes.unit ?? 'm/s'] ?? 1);
}
