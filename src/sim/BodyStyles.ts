import { ACTOR_KINDS, type ActorKindName } from '../core/actorKinds.js';
import { CLOTHING_COLOURS, drawCarPaint, drawWeighted, HAIR_COLOURS, SKIN_TONES } from '../core/paints.js';
import { Random } from '../core/Random.js';
import type { Appearance } from '../core/materials.js';
import { cyclistBox, personBox, stature } from './Bodies.js';

/**
 * The body styles actors are drawn from, with the range of sizes each comes in.
 *
 * Vehicle ranges span the manufacturers' published exterior dimensions (length x width without
 * mirrors x height) of the best-selling European models of each style, 2020-2024:
 * hatchback VW Polo 4.07 .. Ford Focus 4.38 m; saloon Toyota Corolla saloon 4.63 .. Toyota
 * Camry 4.89 m; SUV Peugeot 2008 4.30 .. BMW X5 4.92 m; pick-up Toyota Hilux 5.33, Ford Ranger
 * 5.37 m; small van VW Caddy 4.50 .. Caddy Maxi 4.85 m; van Ford Transit Custom 4.97 ..
 * Mercedes Sprinter 5.93 m; city bus Mercedes Citaro 10.5 .. 12.1 m. The tractor-semitrailer
 * keeps within the EU limits of Directive (EU) 2015/719 (amending 96/53/EC): 16.5 m long,
 * 2.55 m wide, 4 m high; European semitrailer combinations run 15.5 to 16.5 m.
 */
export interface BodyStyle {
  name: BodyStyleName;
  /** How often the style appears among its kind's actors (weights within a kind). */
  share: number;
  length: [number, number];
  width: [number, number];
  height: [number, number];
  /** Tyre outer radius (m). */
  wheelRadius: number;
}

export type BodyStyleName = 'hatchback' | 'sedan' | 'suv' | 'pickup' | 'small_van' | 'van' | 'truck_trailer' | 'bus' | 'bicycle' | 'adult' | 'child' | 'cone' | 'barrier';

const style = (name: BodyStyleName, share: number, length: [number, number], width: [number, number], height: [number, number], wheelRadius: number): BodyStyle => ({ name, share, length, width, height, wheelRadius });

/**
 * Styles per kind. Shares among passenger cars follow European registrations by segment
 * (JATO Dynamics, 2023: SUVs about half, hatchbacks a third, saloons and others the rest).
 */
export const BODY_STYLES: Record<ActorKindName, readonly BodyStyle[]> = {
  car: [
    style('hatchback', 0.33, [3.95, 4.4], [1.7, 1.82], [1.42, 1.5], 0.31),
    style('sedan', 0.15, [4.55, 4.9], [1.78, 1.86], [1.4, 1.48], 0.33),
    style('suv', 0.45, [4.3, 4.9], [1.8, 1.95], [1.58, 1.76], 0.36),
    style('pickup', 0.02, [5.25, 5.4], [1.85, 1.92], [1.78, 1.86], 0.38),
    style('small_van', 0.05, [4.4, 4.85], [1.8, 1.86], [1.8, 1.88], 0.32),
  ],
  parked_car: [],
  van: [style('van', 1, [4.95, 5.95], [1.95, 2.03], [1.95, 2.5], 0.35)],
  truck: [style('truck_trailer', 1, [15.5, 16.5], [2.5, 2.55], [3.8, 4.0], 0.52)],
  bus: [style('bus', 1, [10.5, 12.1], [2.5, 2.55], [3.0, 3.3], 0.5)],
  cyclist: [style('bicycle', 1, [0, 0], [0, 0], [0, 0], 0.34)],
  pedestrian: [style('adult', 1, [0, 0], [0, 0], [0, 0], 0)],
  child: [style('child', 1, [0, 0], [0, 0], [0, 0], 0)],
  cone: [style('cone', 1, [0.4, 0.4], [0.4, 0.4], [0.7, 0.7], 0)],
  barrier: [style('barrier', 1, [2, 2], [0.5, 0.5], [1, 1], 0)],
};
// Parked cars are the same cars, standing, but for the long pick-ups: the roadside dressing
// spaces them by the kind's 4.6 m with 0.3 m to spare, which holds styles up to 4.9 m.
BODY_STYLES.parked_car = BODY_STYLES.car.filter((s) => s.length[1] <= ACTOR_KINDS.parked_car.length + 0.3 + 1e-9);

/**
 * Sizes come in a few levels per style (4 lengths x 3 widths x 3 heights), so that the world
 * builds a bounded number of meshes, each exactly the size of the box the ground truth reports.
 */
const LEVELS = { length: 4, width: 3, height: 3 } as const;

/** What an actor is drawn to be: its style, size and look. */
export interface ActorBuild {
  style: BodyStyleName;
  length: number;
  width: number;
  height: number;
  /** The box centre ahead of the footprint origin (m); 0 but for people and cyclists. */
  centerX: number;
  /** A person's or a cyclist's stature (m); 0 for other kinds. */
  stature: number;
  wheelRadius: number;
  appearance: Appearance;
}

/**
 * Draws an actor's build from the run's seed and its id alone, so an actor looks the same
 * whatever other actors the scenario holds or in which order. Dimensions the scenario gives
 * (catalog entries) win over the drawn size.
 */
export function drawActorBuild(seed: number | string, id: string, kind: ActorKindName, dimensions?: { length: number; width: number; height: number }): ActorBuild {
  const random = new Random(`actor-build:${String(seed)}:${id}`);
  const styleOf = drawWeighted(random.split('style'), BODY_STYLES[kind], (s) => s.share);
  const sizes = random.split('size');
  const level = (range: [number, number], n: number): number => range[0] + ((range[1] - range[0]) * sizes.int(0, n - 1)) / (n - 1);
  const looks = random.split('appearance');
  const base = { style: styleOf.name, wheelRadius: styleOf.wheelRadius };
  if (styleOf.name === 'adult' || styleOf.name === 'child' || styleOf.name === 'bicycle') {
    const height = stature(styleOf.name === 'child' ? 'child' : 'adult', sizes);
    const box = styleOf.name === 'bicycle' ? cyclistBox(height) : personBox(height, styleOf.name);
    return { ...base, ...box, stature: height, appearance: personAppearance(looks) };
  }
  const size = dimensions ?? { length: level(styleOf.length, LEVELS.length), width: level(styleOf.width, LEVELS.width), height: level(styleOf.height, LEVELS.height) };
  const appearance: Appearance = styleOf.name === 'cone' || styleOf.name === 'barrier' ? {} : { paint: { ...pickPaint(looks) } };
  return { ...base, ...size, centerX: 0, stature: 0, appearance };
}

function pickPaint(random: Random): { name: string; srgb: [number, number, number]; nir: number } {
  const paint = drawCarPaint(random);
  return { name: paint.name, srgb: [...paint.srgb], nir: paint.nir };
}

function personAppearance(random: Random): Appearance {
  const pick = <T>(items: readonly T[]): T => items[random.int(0, items.length - 1)];
  return {
    top: [...drawWeighted(random, CLOTHING_COLOURS, (c) => c.share).srgb],
    bottom: [...drawWeighted(random, CLOTHING_COLOURS, (c) => c.share).srgb],
    skin: [...pick(SKIN_TONES)],
    hair: [...pick(HAIR_COLOURS)],
  };
}
