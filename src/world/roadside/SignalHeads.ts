import { materialId } from '../../core/materials.js';
import { MeshBuilder } from '../../core/MeshBuilder.js';
import { classId } from '../../core/semantic.js';
import type { RoadNetwork } from '../../map/RoadNetwork.js';
import { isLightKind, signalPlacement, type LampColour, type Signal } from '../../map/Signal.js';
import type { SignalLamp } from './SignalLamps.js';

/** Signals lower than this are markings on the road (stop lines, esmini's crosswalk signals): nothing stands there. */
const MIN_STANDING_HEIGHT = 0.2;
/** A lamp's pitch in a head (m): 200 mm lenses (EN 12368's larger size) with their frame. */
const LAMP_PITCH = 0.3;
const HEAD_DEPTH = 0.25;
const POLE_WIDTH = 0.12;
/** A lens's side (m): EN 12368's 200 mm lens, drawn square; a lamp pitch keeps 0.1 m of frame between lenses. */
const LENS = 0.2;
/** The lens's thickness in front of the head's face (m): thin, yet a box of its own (seen from aside too). */
const LENS_DEPTH = 0.02;
const LENS_MATERIAL: Record<LampColour, Parameters<typeof materialId>[0]> = { red: 'lamp_red', amber: 'lamp_amber', green: 'lamp_green' };

/**
 * Instance ids of the signals' bodies (SignalBody): far above any run's actors (1, 2, ... in
 * the order the simulation places them), so a pixel's or a point's id tells a signal from an
 * actor; the k-th body of `signalBodies` is SIGNAL_INSTANCE_BASE + k.
 */
export const SIGNAL_INSTANCE_BASE = 0x1000000;

/** Whether an instance id is a signal body's. */
export function isSignalInstance(instanceId: number): boolean {
  return instanceId >= SIGNAL_INSTANCE_BASE && instanceId !== 0xffffffff;
}

/**
 * What the sensors label as one traffic light or sign: its head with the lenses (class
 * traffic_light) or its plate (class traffic_sign), drawn in world coordinates, with the box
 * around it (centre, facing, depth along the facing, width, height) for 2D boxes' truncation and
 * labels. The pole or post under it is scenery.
 */
export interface SignalBody {
  signal: Signal;
  instanceId: number;
  classId: number;
  mesh: MeshBuilder;
  box: { centre: [number, number, number]; facing: number; length: number; width: number; height: number };
}

/**
 * The map's signals as the sensors see them: a traffic or walk light as a pole with a black
 * head on top (one lamp pitch per lamp; class traffic_light) and its lenses on the head's face
 * (signalLamps), a sign as a post with its plate
 * (class traffic_sign, retroreflective face), both turned toward the traffic they govern.
 * OpenDRIVE's zOffset is the bottom of the signal above the road and height its own height;
 * a light whose zOffset is near the ground (maps that give the whole assembly's height) gets its
 * head at the top of that height. `bodies` false: the poles and posts only (the sensors' world
 * places the heads and plates as instances of their own, `signalBodies`).
 */
export function meshMapSignals(network: RoadNetwork, mesh: MeshBuilder, bodies = true): void {
  for (const road of network.roads) {
    for (const signal of road.signals) {
      if (!standing(signal)) continue;
      const place = signalPlacement(road, signal);
      meshSupport(mesh, place, signal);
      if (bodies) meshBody(mesh, place, signal);
    }
  }
}

/** The heads and plates of the map's standing signals, in map order, each with its instance id. */
export function signalBodies(network: RoadNetwork): SignalBody[] {
  const out: SignalBody[] = [];
  for (const road of network.roads) {
    for (const signal of road.signals) {
      if (!standing(signal)) continue;
      const place = signalPlacement(road, signal);
      const mesh = new MeshBuilder();
      const box = meshBody(mesh, place, signal);
      out.push({ signal, instanceId: SIGNAL_INSTANCE_BASE + out.length, classId: classId(standsAsLight(signal) ? 'traffic_light' : 'traffic_sign'), mesh, box });
    }
  }
  return out;
}

/** Markings on the road (stop lines, esmini's crosswalk signals) and signals lower than MIN_STANDING_HEIGHT: nothing stands there. */
function standing(signal: Signal): boolean {
  return signal.kind !== 'stop_line' && signal.height >= MIN_STANDING_HEIGHT;
}

/**
 * Every lamp of the map's lights, top to bottom per light: where its lens lies (the camera
 * finds a lit lens's pixels by it) and whose colour it is. The lenses SignalHeads draws are
 * these, so the mesh and this list agree by construction.
 */
export function signalLamps(network: RoadNetwork): SignalLamp[] {
  const out: SignalLamp[] = [];
  for (const road of network.roads) {
    for (const signal of road.signals) {
      if (!standsAsLight(signal)) continue;
      out.push(...lampsOf(signalPlacement(road, signal), signal));
    }
  }
  return out;
}

function standsAsLight(signal: Signal): boolean {
  return isLightKind(signal.kind) && signal.height >= MIN_STANDING_HEIGHT;
}

type Place = ReturnType<typeof signalPlacement>;

/** A light's head: its top, height and width. */
function headOf(place: Place, signal: Signal): { top: number; height: number; width: number } {
  const lamps = Math.max(1, signal.lamps.length);
  return {
    top: place.z + signal.zOffset + signal.height,
    height: Math.min(signal.height, lamps * LAMP_PITCH + 0.1),
    width: Math.min(Math.max(signal.width, 0.3), 0.5),
  };
}

/**
 * The lenses of a light, top to bottom, centred on its head's face: a 0.3 m pitch and 0.2 m
 * lenses, both shrunk alike where the map's height leaves the head too short for them.
 */
function lampsOf(place: Place, signal: Signal): SignalLamp[] {
  const n = signal.lamps.length;
  if (n === 0) return [];
  const head = headOf(place, signal);
  const pitch = Math.min(LAMP_PITCH, head.height / (n + 1 / 3));
  const lens = Math.min(LENS, (pitch * LENS) / LAMP_PITCH);
  const first = head.top - head.height / 2 + ((n - 1) * pitch) / 2;
  const c = Math.cos(place.facing), s = Math.sin(place.facing), ahead = HEAD_DEPTH / 2 + LENS_DEPTH / 2;
  return signal.lamps.map((colour, k) => ({
    signalId: signal.id, colour,
    centre: [place.x + c * ahead, place.y + s * ahead, first - k * pitch],
    facing: place.facing, half: lens / 2,
  }));
}

/** The pole under a light's head or the post behind a sign's plate. */
function meshSupport(mesh: MeshBuilder, place: Place, signal: Signal): void {
  if (standsAsLight(signal)) {
    const head = headOf(place, signal);
    const poleTop = head.top - head.height;
    if (poleTop > place.z) mesh.box([place.x, place.y, (place.z + poleTop) / 2], [POLE_WIDTH, POLE_WIDTH, poleTop - place.z], place.facing, classId('pole'), materialId('metal_pole'));
    return;
  }
  const centre = place.z + signal.zOffset + signal.height / 2;
  if (centre > place.z) mesh.box([place.x, place.y, (place.z + centre) / 2], [0.08, 0.08, centre - place.z], place.facing, classId('pole'), materialId('metal_pole'));
}

/** A light's head with its lenses, or a sign's plate; returns the box around it. */
function meshBody(mesh: MeshBuilder, place: Place, signal: Signal): SignalBody['box'] {
  const c = Math.cos(place.facing), s = Math.sin(place.facing);
  if (standsAsLight(signal)) {
    const head = headOf(place, signal);
    const z = head.top - head.height / 2;
    mesh.box([place.x, place.y, z], [HEAD_DEPTH, head.width, head.height], place.facing, classId('traffic_light'), materialId('plastic_black'));
    // The lenses: thin boxes on the face, class traffic_light, each of its colour's lens material (dark unless the camera finds it lit).
    for (const lamp of lampsOf(place, signal)) {
      mesh.box(lamp.centre, [LENS_DEPTH, lamp.half * 2, lamp.half * 2], place.facing, classId('traffic_light'), materialId(LENS_MATERIAL[lamp.colour]));
    }
    // The box reaches over the lenses in front of the face.
    const ahead = LENS_DEPTH / 2;
    return { centre: [place.x + c * ahead, place.y + s * ahead, z], facing: place.facing, length: HEAD_DEPTH + LENS_DEPTH, width: head.width, height: head.height };
  }
  const centre = place.z + signal.zOffset + signal.height / 2;
  // The plate just in front of its post, 2 cm thick, its face toward `facing`.
  const width = Math.max(signal.width, 0.1);
  const at: [number, number, number] = [place.x + c * 0.06, place.y + s * 0.06, centre];
  mesh.box(at, [0.02, width, signal.height], place.facing, classId('traffic_sign'), materialId('sign_face'));
  return { centre: at, facing: place.facing, length: 0.02, width, height: signal.height };
}
