import { dirname, resolve } from 'node:path';
import { ACTOR_KIND_NAMES, type ActorKindName } from '../core/actorKinds.js';
import { ConfigDocument } from '../core/ConfigDocument.js';
import { readOpenDrive } from '../map/OpenDriveReader.js';
import type { ActorSpec, Scenario } from './Scenario.js';

const TOP_KEYS = ['name', 'map', 'rig', 'duration', 'step', 'seed', 'buildings', 'actors'] as const;
const ACTOR_KEYS = ['id', 'kind', 'ego', 'road', 'lane', 's', 'speed'] as const;

/**
 * Loads a scenario file (YAML or JSON). Paths inside it are relative to the file. The map
 * is read too, so that roads, lanes and positions are checked against it here, with the
 * scenario's file and line, rather than failing later inside the simulation.
 */
export function loadScenario(file: string): Scenario {
  const doc = ConfigDocument.read(file, 'scenario');
  doc.object([], TOP_KEYS);
  const base = dirname(resolve(file));
  const mapFile = resolve(base, doc.string(['map']));
  const network = readOpenDrive(mapFile);
  const actors = doc.array(['actors']).map((_, i) => readActor(doc, i));
  if (actors.length === 0) doc.fail(['actors'], 'expected at least one actor');

  const ids = new Set<string>();
  actors.forEach((actor, i) => {
    if (ids.has(actor.id)) doc.fail(['actors', i, 'id'], `actor id "${actor.id}" is used twice`);
    ids.add(actor.id);
    const road = network.roads.find((r) => r.id === actor.road);
    if (!road) return doc.fail(['actors', i, 'road'], `the map has no road "${actor.road}" (roads: ${network.roads.map((r) => r.id).join(', ')})`);
    if (actor.s > road.length) doc.fail(['actors', i, 's'], `s=${actor.s} is past the end of road ${road.id} (length ${road.length} m)`);
    const section = road.sectionAt(actor.s);
    const lanes = [...section.left, ...section.right].filter((l) => l.type === 'driving' || actor.kind === 'pedestrian');
    if (!lanes.some((l) => l.id === actor.lane)) {
      doc.fail(['actors', i, 'lane'], `road ${road.id} has no ${actor.kind === 'pedestrian' ? '' : 'driving '}lane ${actor.lane} at s=${actor.s} (lanes: ${lanes.map((l) => l.id).join(', ')})`);
    }
  });
  const egos = actors.filter((a) => a.ego);
  if (egos.length !== 1) doc.fail(['actors'], `expected exactly one actor with "ego: true", found ${egos.length}`);

  return {
    name: doc.string(['name']),
    file,
    mapFile,
    network,
    rigFile: doc.has(['rig']) ? resolve(base, doc.string(['rig'])) : undefined,
    duration: doc.number(['duration'], { min: 0, exclusiveMin: true, default: 10 }),
    step: doc.number(['step'], { min: 0, exclusiveMin: true, max: 1, default: 0.01 }),
    seed: doc.number(['seed'], { integer: true, min: 0, default: 1 }),
    buildings: doc.number(['buildings'], { integer: true, min: 0, default: 12 }),
    actors,
  };
}

function readActor(doc: ConfigDocument, i: number): ActorSpec {
  const path = ['actors', i];
  doc.object(path, ACTOR_KEYS);
  return {
    id: doc.string([...path, 'id']),
    kind: doc.string([...path, 'kind'], { oneOf: ACTOR_KIND_NAMES }) as ActorKindName,
    ego: doc.boolean([...path, 'ego'], false),
    road: doc.string([...path, 'road']),
    lane: doc.number([...path, 'lane'], { integer: true }),
    s: doc.number([...path, 's'], { min: 0 }),
    speed: doc.number([...path, 'speed'], { min: 0, default: 0 }),
  };
}
