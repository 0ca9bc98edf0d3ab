/**
 * The nuScenes schema (v1.0, as the nuScenes devkit loads it): the thirteen tables' records,
 * the fixed taxonomy (categories, attributes, visibility levels), roadcast's actor kinds in it,
 * and the tokens that join the tables.
 */
import { createHash } from 'node:crypto';
import type { ActorKindName } from '../../core/actorKinds.js';

/** The tables, in the order the devkit loads them. */
export const NUSCENES_TABLES = [
  'category', 'attribute', 'visibility', 'instance', 'sensor', 'calibrated_sensor',
  'ego_pose', 'log', 'scene', 'sample', 'sample_data', 'sample_annotation', 'map',
] as const;
export type NuscenesTable = (typeof NUSCENES_TABLES)[number];

/** x, y, z in metres. */
export type Translation = [number, number, number];
/** A unit quaternion w, x, y, z (nuScenes' order, pyquaternion's). */
export type Rotation = [number, number, number, number];

export interface CategoryRecord { token: string; name: string; description: string; index: number }
export interface AttributeRecord { token: string; name: string; description: string }
export interface VisibilityRecord { token: string; level: string; description: string }
export interface InstanceRecord { token: string; category_token: string; nbr_annotations: number; first_annotation_token: string; last_annotation_token: string }
export interface SensorRecord { token: string; channel: string; modality: 'lidar' | 'camera' | 'radar' }
export interface CalibratedSensorRecord { token: string; sensor_token: string; translation: Translation; rotation: Rotation; camera_intrinsic: number[][] }
export interface EgoPoseRecord { token: string; timestamp: number; rotation: Rotation; translation: Translation }
export interface LogRecord { token: string; logfile: string; vehicle: string; date_captured: string; location: string }
export interface SceneRecord { token: string; log_token: string; nbr_samples: number; first_sample_token: string; last_sample_token: string; name: string; description: string }
export interface SampleRecord { token: string; timestamp: number; prev: string; next: string; scene_token: string }
export interface SampleDataRecord {
  token: string; sample_token: string; ego_pose_token: string; calibrated_sensor_token: string; timestamp: number;
  fileformat: 'pcd' | 'jpg'; is_key_frame: boolean; height: number; width: number; filename: string; prev: string; next: string;
}
export interface SampleAnnotationRecord {
  token: string; sample_token: string; instance_token: string; visibility_token: string; attribute_tokens: string[];
  translation: Translation; size: Translation; rotation: Rotation; prev: string; next: string; num_lidar_pts: number; num_radar_pts: number;
}
export interface MapRecord { token: string; log_tokens: string[]; category: string; filename: string; world_origin: [number, number] }

/**
 * A 32-hex token from the names that identify a record (its table, the scene, the channel,
 * the index...): the same input always gives the same tokens, and no two records share one.
 */
export function nuscenesToken(...parts: (string | number)[]): string {
  return createHash('sha256').update(`roadcast-nuscenes\u0000${parts.join('\u0000')}`).digest('hex').slice(0, 32);
}

/**
 * nuScenes' 23 object categories with the index nuScenes-lidarseg gives them (0 is noise),
 * so a category table is complete even where a run has no such object.
 */
const CATEGORIES: [string, number, string][] = [
  ['animal', 1, 'All animals, e.g. cats, rats, dogs, deer, birds.'],
  ['human.pedestrian.adult', 2, 'Adult subcategory.'],
  ['human.pedestrian.child', 3, 'Child subcategory.'],
  ['human.pedestrian.construction_worker', 4, 'Construction worker.'],
  ['human.pedestrian.personal_mobility', 5, 'A small electric or self-propelled vehicle with a person on it (skateboard, scooter, segway).'],
  ['human.pedestrian.police_officer', 6, 'Police officer.'],
  ['human.pedestrian.stroller', 7, 'Strollers.'],
  ['human.pedestrian.wheelchair', 8, 'Wheelchairs.'],
  ['movable_object.barrier', 9, 'Temporary road barrier placed in the scene in order to redirect traffic.'],
  ['movable_object.debris', 10, 'Movable object that is left on the driveable surface.'],
  ['movable_object.pushable_pullable', 11, 'Objects that a pedestrian may push or pull (dolleys, wheel barrows, garbage bins, shopping carts).'],
  ['movable_object.trafficcone', 12, 'All types of traffic cone.'],
  ['static_object.bicycle_rack', 13, 'Area or device intended to park or secure bicycles in a row.'],
  ['vehicle.bicycle', 14, 'Human or electric powered 2-wheeled vehicle designed to travel at lower speeds.'],
  ['vehicle.bus.bendy', 15, 'Bendy bus subcategory.'],
  ['vehicle.bus.rigid', 16, 'Rigid bus subcategory.'],
  ['vehicle.car', 17, 'Vehicle designed primarily for personal use, e.g. sedans, hatch-backs, wagons, vans, mini-vans, SUVs and jeeps.'],
  ['vehicle.construction', 18, 'Vehicles primarily designed for construction.'],
  ['vehicle.emergency.ambulance', 19, 'All types of ambulances.'],
  ['vehicle.emergency.police', 20, 'All types of police vehicles.'],
  ['vehicle.motorcycle', 21, 'Gasoline or electric powered 2-wheeled vehicle designed to move rapidly.'],
  ['vehicle.trailer', 22, 'Any vehicle trailer, both for trucks, cars and bikes.'],
  ['vehicle.truck', 23, 'Vehicles primarily designed to haul cargo.'],
];

const ATTRIBUTES: [string, string][] = [
  ['vehicle.moving', 'Vehicle is moving.'],
  ['vehicle.stopped', 'Vehicle, with a driver/rider in/on it, is currently stationary but has an intent to move.'],
  ['vehicle.parked', 'Vehicle is stationary (usually for longer duration) with no immediate intent to move.'],
  ['cycle.with_rider', 'There is a rider on the bicycle or motorcycle.'],
  ['cycle.without_rider', 'There is NO rider on the bicycle or motorcycle.'],
  ['pedestrian.sitting_lying_down', 'The human is sitting or lying down.'],
  ['pedestrian.standing', 'The human is standing.'],
  ['pedestrian.moving', 'The human is moving.'],
];

/**
 * The visibility levels: the share of an object seen in all the cameras' images. Their tokens
 * are nuScenes' own "1" to "4", not hashes: the devkit's 2D export and mmdetection3d's
 * converter select annotations by these strings.
 */
export const VISIBILITY: readonly VisibilityRecord[] = [
  { token: '1', level: 'v0-40', description: 'visibility of whole object is between 0 and 40%' },
  { token: '2', level: 'v40-60', description: 'visibility of whole object is between 40 and 60%' },
  { token: '3', level: 'v60-80', description: 'visibility of whole object is between 60 and 80%' },
  { token: '4', level: 'v80-100', description: 'visibility of whole object is between 80 and 100%' },
];

/** The visibility token of a share seen (0..1) in the bins above. */
export function visibilityToken(seen: number): string {
  return seen < 0.4 ? '1' : seen < 0.6 ? '2' : seen < 0.8 ? '3' : '4';
}

export const CATEGORY_TABLE: readonly CategoryRecord[] = CATEGORIES.map(([name, index, description]) => ({ token: nuscenesToken('category', name), name, description, index }));
export const ATTRIBUTE_TABLE: readonly AttributeRecord[] = ATTRIBUTES.map(([name, description]) => ({ token: nuscenesToken('attribute', name), name, description }));

/** How roadcast's actor kinds sit in the taxonomy: a category, and which attributes apply. */
export interface KindInTaxonomy {
  category: string;
  /** vehicle: moving/stopped/parked; pedestrian: moving/standing; cycle: with rider; none: no attribute. */
  attributes: 'vehicle' | 'pedestrian' | 'cycle' | 'none';
  /** Parked whatever it does (a parked car is a prop that never moves). */
  parked?: boolean;
}

export const KIND_TAXONOMY: Record<ActorKindName, KindInTaxonomy> = {
  car: { category: 'vehicle.car', attributes: 'vehicle' },
  // nuScenes' car takes vans and mini-vans.
  van: { category: 'vehicle.car', attributes: 'vehicle' },
  truck: { category: 'vehicle.truck', attributes: 'vehicle' },
  bus: { category: 'vehicle.bus.rigid', attributes: 'vehicle' },
  parked_car: { category: 'vehicle.car', attributes: 'vehicle', parked: true },
  // A roadcast cyclist is the bicycle with its rider: nuScenes boxes the bicycle, rider included.
  cyclist: { category: 'vehicle.bicycle', attributes: 'cycle' },
  pedestrian: { category: 'human.pedestrian.adult', attributes: 'pedestrian' },
  child: { category: 'human.pedestrian.child', attributes: 'pedestrian' },
  cone: { category: 'movable_object.trafficcone', attributes: 'none' },
  barrier: { category: 'movable_object.barrier', attributes: 'none' },
};

/**
 * The attribute of an object now: moving when its speed over the ground is at least
 * `standingSpeed`; a standing vehicle is parked when it is a parked car or never moves in the
 * scene, otherwise stopped (it moves before or after); a standing person stands; a cyclist
 * always has its rider. Undefined for objects without attributes (cones, barriers).
 */
export function attributeOf(kind: KindInTaxonomy, speed: number, movesInScene: boolean, standingSpeed: number): string | undefined {
  const moving = speed >= standingSpeed;
  switch (kind.attributes) {
    case 'vehicle': return moving ? 'vehicle.moving' : kind.parked || !movesInScene ? 'vehicle.parked' : 'vehicle.stopped';
    case 'pedestrian': return moving ? 'pedestrian.moving' : 'pedestrian.standing';
    case 'cycle': return 'cycle.with_rider';
    case 'none': return undefined;
  }
}

/** A table as JSON, one record a line: the devkit reads it as any JSON, and a diff stays readable. */
export function tableJson(records: readonly object[]): string {
  return records.length === 0 ? '[]\n' : `[\n${records.map((r) => JSON.stringify(r)).join(',\n')}\n]\n`;
}
