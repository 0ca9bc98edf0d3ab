import { arrayField, FRAME_VERSION, type Frame, type Pose } from '../core/frame.js';
import { RETROREFLECTIVE_BY_MATERIAL, surfaceNir, TRANSMISSION_BY_MATERIAL, type Appearance } from '../core/materials.js';
import { composePose, rotationMatrix } from '../core/pose.js';
import type { Random } from '../core/Random.js';
import { isClearWeather, type Weather } from '../scenario/Scenario.js';
import { createHitBuffer, MISS, type HitBuffer, type RayBatch } from '../raycast/RaycastScene.js';
import type { ActorState } from '../sim/WorldState.js';
import type { World } from '../world/World.js';
import { boxesInSensorFrame } from './boxesInSensorFrame.js';
import { interpolatePose } from './interpolation.js';
import { beamPattern } from './LidarBeam.js';
import { ECHO_FOG, ECHO_SURFACE, EchoList, pickReturns } from './LidarEchoes.js';
import { attenuated, defaultFogFloor, fogEcho, softPeak, type FogEcho } from './LidarFog.js';
import { isRoadSurface, rainfall, rainRangeSigma, wetDropout, wetFactor } from './LidarRain.js';
import { createSnowScratch, DEFAULT_APERTURE, prepareSnow, snowfall, type Snowfall, type SnowScratch, type SnowTables } from './LidarSnow.js';
import { gaussianFromBits } from './FastMath.js';
import { applyPrecipitation, DEFAULT_PARTICLE_DIVERGENCE } from './LidarPrecipitation.js';
import { DEG, mountPose, type LidarConfig } from './Rig.js';
import { mountFields, type MountFields } from './MountFields.js';
import { SensorSchedule } from './SensorSchedule.js';

/** Reference range of intensity: a white (rho = 1) diffuse surface facing the sensor here returns 1. */
const REFERENCE_RANGE = 10;

/**
 * How much more a retroreflective surface (bead-dressed lane paint, plates, sign sheeting)
 * returns than a diffuse one of the same reflectivity at the same range and incidence.
 * From EN 1436 (road markings): class R3 asks a dry marking for a coefficient of retroreflected
 * luminance R_L of at least 150 mcd m^-2 lx^-1, measured with the light 1.24 deg above the road
 * (the 30 m geometry; R_L is taken per lux on a plane facing the light). A diffuse (Lambertian)
 * surface of reflectance rho in that geometry has R_L = rho sin(1.24 deg) / pi: 5.5 mcd m^-2 lx^-1
 * for the 0.8 of white paint. The gain is their ratio, 150 / 5.5 = 27. The ray of a car's
 * LiDAR meets lane paint 10 to 40 m ahead at a similarly grazing 2 to 10 deg, where the beads
 * matter most; signs and plates, met nearer normal incidence, saturate a real sensor anyway.
 */
export const RETROREFLECTION_RL_CD_PER_M2_LX = 0.15;
const EN1436_ILLUMINATION_ANGLE = (1.24 * Math.PI) / 180;
const WHITE_PAINT_NIR = 0.8;
export const RETROREFLECTION_GAIN = RETROREFLECTION_RL_CD_PER_M2_LX / ((WHITE_PAINT_NIR * Math.sin(EN1436_ILLUMINATION_ANGLE)) / Math.PI);

/**
 * Transmissive surfaces (glass, foliage) a ray may pass before it stops at whatever it meets
 * next: a window, the cabin and the far window, and a hedge behind, with room to spare.
 */
export const MAX_TRANSMISSION_PASSES = 4;
/**
 * A passing ray starts again this far beyond the surface (m): past the float32 rounding of a
 * hit point a few hundred metres from the origin (3e-5 m), well inside any real pane or leaf.
 */
const PASS_THROUGH_START = 1e-3;
/** The `bounce` key of the fog-return hash: past every transmission bounce, so independent of them. */
const FOG_HASH_KEY = 0x666f67;
/** Keys of the rain-noise (one word, by the inverse CDF) and wet-road dropout hashes, apart from the rest. */
const RAIN_HASH_KEY = 0x7261696e;
const WET_HASH_KEY = 0x776574;
/** Keys of each beam's snowfall and rain seeds (LidarSnow.ts draws every particle of the beam from one). */
const SNOW_HASH_KEY = 0x736e6f77;
const DROP_HASH_KEY = 0x64726f70;
/**
 * The particle model's ε (LidarSnow.ts): particles whose on-axis echo is under ε × the floor
 * act by their mean. 0.2 rather than the module's 0.05: a third of the large particles to
 * sample, and the sensor's share of snow and drop returns stays within sampling error of the
 * exact sampler of every particle (test/sensors/lidarSnow.test.ts).
 */
const PARTICLE_EPSILON = 0.2;

/**
 * Uniform in [0, 1) from (seed, sweep, ray, bounce) alone: whether a ray passes a transmissive
 * surface must not depend on which thread cast it or in what order rays were handled, so it is
 * a hash, not a draw from a stream. Each word goes through the murmur3 finaliser.
 */
export function passThroughUniform(seed: number, sweep: number, ray: number, bounce: number): number {
  let h = seed >>> 0;
  h = mix32((h + 0x9e3779b9) ^ sweep);
  h = mix32((h + 0x9e3779b9) ^ ray);
  h = mix32((h + 0x9e3779b9) ^ bounce);
  return h / 4294967296;
}

function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/**
 * A spinning (or sector-scanning) LiDAR: channels x columns rays, the columns swept
 * clockwise from the left edge of the field of view over one period. Each column fires at
 * its own time, from the sensor's pose at that time, so a sweep taken while moving shows the
 * distortion a real sensor shows (unless `motionDistortion` is off: then the whole sweep is
 * cast from the pose at its start). Points are in the sensor frame at their firing time.
 *
 * Per point: x, y, z, intensity; ring (0 = lowest channel), time offset from the sweep
 * start, semantic class and instance id of the surface the ray stopped at.
 *
 * Intensity is a Lambertian return, rho cos(incidence) (10 m / range)^2, with rho the 905 nm
 * reflectivity of the surface's material (a car's paint its own, from the actor's appearance),
 * times RETROREFLECTION_GAIN on retroreflective materials. Glass and foliage let a ray through
 * with their material's transmission probability (decided by passThroughUniform); a ray that
 * stops on glass returns weakly, its rho being low.
 *
 * With `config.beam` (off by default) each beam is cast as K sub-rays over its divergence cone
 * (LidarBeam.ts): ray j of the batch is sub-ray j % K of beam j / K. Their echoes, weighted by
 * the Gaussian beam, merge within the range resolution and the return mode reports one or two
 * of them (LidarEchoes.ts), with a per-point `return` index.
 */
export class Lidar {
  readonly channels: number;
  readonly columns: number;
  /** Beams per sweep (channels x columns); each is cast as `subRays` rays. */
  readonly rayCount: number;
  /** Rays cast per beam, K (LidarBeam.ts); 1 for the plain LiDAR. */
  readonly subRays: number;
  /** Unit beam directions in the sensor frame, 3 per ray, column-major, channels in table order. */
  readonly pattern: Float32Array;
  /** Ring of each channel: its rank by elevation. */
  readonly rings: Uint16Array;
  readonly mount: Pose;
  /** Where the sweep being cast sits on its parent (set when it starts). */
  private mountFields: MountFields = { mount: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0] };
  readonly schedule: SensorSchedule;
  private readonly batch: RayBatch;
  private readonly hits: HitBuffer;
  /** Seed of the pass-through hash, drawn once from the sensor's stream. */
  private readonly transmissionSeed: number;
  /** Rays re-cast past transmissive surfaces, grown as needed. */
  private readonly passBatch: RayBatch;
  private passHits: HitBuffer;
  private passRays: Uint32Array;
  /** Firing time of each ray's column, ns after the sweep start. */
  private readonly rayTimeNs: Uint32Array;
  private sweep: { startNs: number; seq: number; pose: Pose; nextColumn: number; actors: readonly ActorState[]; weather?: Weather } | undefined;
  /** The fog echo of the last visibility seen: weather rarely changes, the table is reused. */
  private fogTable: { visibility: number; echo: FogEcho } | undefined;
  /** Each sub-ray's share of its beam's power, and its direction off the beam's axis. */
  private readonly weights: Float64Array;
  private readonly subOffsets: { cosAlpha: Float64Array; sinAlphaCos: Float64Array; sinAlphaSin: Float64Array };
  /** One beam's candidate echoes and the ones reported, reused from beam to beam. */
  private readonly echoes: EchoList;
  private readonly picked = new Int32Array(2);
  /** The flakes or drops of the beam in hand (LidarSnow.ts), reused from beam to beam. */
  private snowScratch: SnowScratch | undefined;

  constructor(readonly config: LidarConfig, private readonly random: Random) {
    const fullTurn = config.horizontalFov >= 2 * Math.PI - 1e-9;
    this.channels = config.elevations.length;
    this.columns = fullTurn
      ? Math.round(config.horizontalFov / config.horizontalResolution)
      : Math.floor(config.horizontalFov / config.horizontalResolution + 1e-9) + 1;
    this.rayCount = this.columns * this.channels;
    this.subRays = config.beam?.subRays ?? 1;
    const beam = beamPattern(this.subRays);
    const halfAngle = (config.beam?.divergence ?? 0) / 2;
    this.weights = beam.weight;
    this.subOffsets = {
      cosAlpha: beam.offAxis.map((rho) => Math.cos(rho * halfAngle)),
      sinAlphaCos: beam.offAxis.map((rho, s) => Math.sin(rho * halfAngle) * Math.cos(beam.azimuth[s])),
      sinAlphaSin: beam.offAxis.map((rho, s) => Math.sin(rho * halfAngle) * Math.sin(beam.azimuth[s])),
    };
    // Room for every sub-ray's echo, the fog's, the rain's and the snow's.
    this.echoes = new EchoList(this.subRays + 3);
    const rays = this.rayCount * this.subRays;
    this.pattern = new Float32Array(this.rayCount * 3);
    for (let col = 0; col < this.columns; col++) {
      const azimuth = config.horizontalFov / 2 - col * config.horizontalResolution;
      config.elevations.forEach((elevation, ch) => {
        const o = (col * this.channels + ch) * 3;
        this.pattern[o] = Math.cos(elevation) * Math.cos(azimuth);
        this.pattern[o + 1] = Math.cos(elevation) * Math.sin(azimuth);
        this.pattern[o + 2] = Math.sin(elevation);
      });
    }
    const order = config.elevations.map((e, i) => [e, i] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    this.rings = new Uint16Array(this.channels);
    order.forEach(([, channel], ring) => (this.rings[channel] = ring));
    this.mount = mountPose(config.mount);
    this.schedule = new SensorSchedule(config.rateHz);
    this.rayTimeNs = new Uint32Array(this.rayCount);
    for (let col = 0; col < this.columns; col++) this.rayTimeNs.fill(this.columnTimeNs(col), col * this.channels, (col + 1) * this.channels);
    this.batch = {
      origins: new Float32Array(rays * 3),
      directions: new Float32Array(rays * 3),
      count: rays,
      tMin: config.minRange,
      tMax: config.maxRange,
    };
    this.hits = createHitBuffer(rays);
    this.transmissionSeed = random.split('transmission').nextUint32();
    this.passBatch = { origins: new Float32Array(0), directions: new Float32Array(0), count: 0, tMin: PASS_THROUGH_START, tMax: config.maxRange };
    this.passHits = createHitBuffer(0);
    this.passRays = new Uint32Array(0);
  }

  get topic(): string {
    return `lidar/${this.config.name}`;
  }

  /** When column `col` fires, ns after the sweep starts: the sweep spans one period. */
  columnTimeNs(col: number): number {
    return Math.floor((col * this.schedule.periodNs) / this.columns);
  }

  /**
   * A whole sweep from one pose at tNs (no motion distortion), returned at once. `actors` (the
   * world's actors at tNs) get their boxes in the frame, with the number of points on each.
   */
  capture(world: World, parent: ActorState, tNs: number, actors: readonly ActorState[] = [], weather?: Weather): Frame {
    const seq = this.schedule.fire(tNs);
    const pose = composePose(parent.pose, this.mount);
    this.mountFields = mountFields(this.mount, parent);
    this.aim(0, this.columns, pose);
    this.castThrough(world, seq, 0, this.rayCount * this.subRays, parent.instanceId);
    return this.frame(world, seq, tNs, pose, false, actors.filter((a) => a.instanceId !== parent.instanceId), weather);
  }

  /**
   * Casts the columns that fire in [fromNs, toNs), with the parent's pose interpolated to each
   * column's time between `from` and `to` (its states at those times); the world's actors must
   * already be placed for this interval. Returns the frame of a sweep that completes here.
   */
  advance(world: World, from: ActorState, to: ActorState, fromNs: number, toNs: number, actors: readonly ActorState[] = [], weather?: Weather): Frame | undefined {
    if (!this.sweep && this.schedule.isDue(fromNs)) {
      const others = actors.filter((a) => a.instanceId !== from.instanceId);
      // The weather at the sweep's start holds for the whole sweep (a tenth of a second).
      this.sweep = { startNs: fromNs, seq: this.schedule.fire(fromNs), pose: composePose(from.pose, this.mount), nextColumn: 0, actors: others, weather };
      this.mountFields = mountFields(this.mount, from);
    }
    const sweep = this.sweep;
    if (!sweep) return undefined;
    let end = sweep.nextColumn;
    while (end < this.columns && sweep.startNs + this.columnTimeNs(end) < toNs) end++;
    for (let col = sweep.nextColumn; col < end; col++) {
      const f = (sweep.startNs + this.columnTimeNs(col) - fromNs) / (toNs - fromNs);
      this.aim(col, col + 1, composePose(interpolatePose(from.pose, to.pose, f), this.mount));
    }
    if (end > sweep.nextColumn) {
      const perColumn = this.channels * this.subRays;
      this.castThrough(world, sweep.seq, sweep.nextColumn * perColumn, end * perColumn, from.instanceId);
      sweep.nextColumn = end;
    }
    if (sweep.nextColumn < this.columns) return undefined;
    this.sweep = undefined;
    return this.frame(world, sweep.seq, sweep.startNs, sweep.pose, true, sweep.actors, sweep.weather);
  }

  /**
   * Casts rays [first, end) of the sweep (ray j is sub-ray j % K of beam j / K) and lets them through transmissive surfaces: a ray
   * that meets one with transmission tau passes when its hash is below tau, and is cast again
   * (all such rays of the range as one batch) from just beyond it, at most
   * MAX_TRANSMISSION_PASSES times. Its hit becomes what it meets past the surface, at the
   * distance travelled from the sensor, or a miss beyond the maximum range.
   */
  private castThrough(world: World, sweepSeq: number, first: number, end: number, ignoreInstanceId: number): void {
    world.scene.castRanging(this.batch, this.hits, { first, end, ignoreInstanceId });
    const hits = this.hits;
    let passing = 0;
    for (let i = first; i < end; i++) {
      if (this.passes(sweepSeq, i, 0)) this.passRay(passing++, i);
    }
    for (let bounce = 1; passing > 0; bounce++) {
      const batch = this.passBatch;
      batch.count = passing;
      world.scene.castRanging(batch, this.passHits, { ignoreInstanceId });
      const pass = this.passHits;
      let next = 0;
      for (let k = 0; k < passing; k++) {
        const i = this.passRays[k];
        const total = hits.distance[i] + pass.distance[k];
        if (!(total <= this.config.maxRange)) {
          hits.distance[i] = Infinity;
          hits.normal.fill(0, i * 3, i * 3 + 3);
          hits.instanceId[i] = MISS;
          hits.triangleId[i] = MISS;
          hits.classId[i] = 0;
          hits.materialId[i] = 0;
          hits.reflectivity[i] = 0;
          continue;
        }
        hits.distance[i] = total;
        hits.normal.set(pass.normal.subarray(k * 3, k * 3 + 3), i * 3);
        hits.instanceId[i] = pass.instanceId[k];
        hits.triangleId[i] = pass.triangleId[k];
        hits.classId[i] = pass.classId[k];
        hits.materialId[i] = pass.materialId[k];
        hits.reflectivity[i] = pass.reflectivity[k];
        if (bounce < MAX_TRANSMISSION_PASSES && this.passes(sweepSeq, i, bounce)) this.passRay(next++, i);
      }
      passing = next;
    }
  }

  /** Whether ray i passes the surface it hit now, its `bounce`-th transmissive one. */
  private passes(sweepSeq: number, i: number, bounce: number): boolean {
    const d = this.hits.distance[i];
    if (d === Infinity) return false;
    const tau = TRANSMISSION_BY_MATERIAL[this.hits.materialId[i]];
    return tau > 0 && passThroughUniform(this.transmissionSeed, sweepSeq, i, bounce) < tau;
  }

  /**
   * Sets slot k of the pass batch to ray i continued from its current hit. Filling slot k
   * never overwrites a slot still to be read: slots are refilled in order, k <= the slot read.
   */
  private passRay(k: number, i: number): void {
    if (this.passRays.length <= k) this.growPassBatch(Math.max(64, 2 * this.passRays.length));
    const o = i * 3, to = k * 3;
    const d = this.hits.distance[i];
    const { origins, directions } = this.batch;
    for (let a = 0; a < 3; a++) {
      this.passBatch.origins[to + a] = origins[o + a] + directions[o + a] * d;
      this.passBatch.directions[to + a] = directions[o + a];
    }
    this.passRays[k] = i;
  }

  private growPassBatch(capacity: number): void {
    const grow = <T extends Float32Array | Uint32Array>(old: T, size: number, make: (n: number) => T): T => {
      const next = make(size);
      next.set(old as never);
      return next;
    };
    this.passBatch.origins = grow(this.passBatch.origins, capacity * 3, (n) => new Float32Array(n));
    this.passBatch.directions = grow(this.passBatch.directions, capacity * 3, (n) => new Float32Array(n));
    this.passRays = grow(this.passRays, capacity, (n) => new Uint32Array(n));
    this.passHits = createHitBuffer(capacity);
  }

  /**
   * The tables of a snowfall or rainfall for this LiDAR's beam (its `beam.divergence`, else
   * 3 mrad), noise floor and range; LidarSnow caches them by their parameters.
   */
  private particleTables(particles: Snowfall, floor: number): SnowTables {
    const divergence = this.config.beam?.divergence || DEFAULT_PARTICLE_DIVERGENCE;
    return prepareSnow(particles, divergence, DEFAULT_APERTURE, floor, this.config.maxRange, REFERENCE_RANGE, { epsilon: PARTICLE_EPSILON });
  }

  private fogEchoFor(visibility: number): FogEcho {
    if (this.fogTable?.visibility !== visibility) this.fogTable = { visibility, echo: fogEcho(visibility, this.config.maxRange, REFERENCE_RANGE) };
    return this.fogTable.echo;
  }

  /**
   * Sets the world-frame rays of columns [c0, c1) from one sensor pose. With K sub-rays, sub-ray
   * s of a beam leaves at α_s off its axis p, at angle φ_s from the beam's left u (horizontal,
   * perpendicular to p) towards its up v = p × u: cos α p + sin α (cos φ u + sin φ v).
   */
  private aim(c0: number, c1: number, pose: Pose): void {
    const r = rotationMatrix(pose.q);
    const { origins, directions } = this.batch;
    const pattern = this.pattern;
    const k = this.subRays;
    const { cosAlpha, sinAlphaCos, sinAlphaSin } = this.subOffsets;
    // Ray j leaves the sensor's origin along (x, y, z) of the sensor frame, turned into the world.
    const set = (j: number, x: number, y: number, z: number): void => {
      origins[j] = pose.p[0];
      origins[j + 1] = pose.p[1];
      origins[j + 2] = pose.p[2];
      directions[j] = r[0] * x + r[1] * y + r[2] * z;
      directions[j + 1] = r[3] * x + r[4] * y + r[5] * z;
      directions[j + 2] = r[6] * x + r[7] * y + r[8] * z;
    };
    for (let i = c0 * this.channels; i < c1 * this.channels; i++) {
      const o = i * 3;
      const x = pattern[o], y = pattern[o + 1], z = pattern[o + 2];
      if (k === 1) {
        set(o, x, y, z);
        continue;
      }
      // A beam straight up or down has no horizontal left of its own: take +y.
      const h = Math.hypot(x, y);
      const ux = h > 0 ? -y / h : 0, uy = h > 0 ? x / h : 1;
      const vx = -z * uy, vy = z * ux, vz = x * uy - y * ux;
      for (let s = 0; s < k; s++) {
        const js = (i * k + s) * 3;
        const c = cosAlpha[s], a = sinAlphaCos[s], b = sinAlphaSin[s];
        set(js, c * x + a * ux + b * vx, c * y + a * uy + b * vy, c * z + b * vz);
      }
    }
  }

  /**
   * The measurement model over the swept beams (see the class comment): each beam's candidate
   * echoes (one per sub-ray that meets a surface, merged within the range resolution, and in
   * fog the fog's own echo; LidarEchoes.ts), of which the return mode reports one or two, each
   * lost at random (`dropoutBase`) or under the noise floor, with Gaussian range noise. Beams
   * with no return are left out or kept flagged. Clear weather and the default beam change nothing.
   */
  private frame(world: World, seq: number, tNs: number, pose: Pose, distorted: boolean, actors: readonly ActorState[], weather?: Weather): Frame {
    const { rangeNoiseStd: std, dropoutBase, minSignal, noReturn, beam } = this.config;
    const fog = weather?.fog ? this.fogEchoFor(weather.fog.visibility) : undefined;
    const rainRate = weather?.rain && weather.rain.rate > 0 ? weather.rain.rate : 0;
    const wet = weather?.wetRoad !== undefined && weather.wetRoad > 0 ? weather.wetRoad : 0;
    const medium: Medium = { appearanceOf: appearances(world), seq, fog, rainRate, rainSigmaPerMetre: rainRangeSigma(rainRate, 1), wet };
    const snowRate = weather?.snow && weather.snow.rate > 0 ? weather.snow.rate : 0;
    // Attenuating weather needs a floor, else faint returns would never be lost (LidarFog.ts).
    const floor = (fog || rainRate > 0 || snowRate > 0) && minSignal === 0 ? defaultFogFloor(this.config.rangeAt10Percent ?? this.config.maxRange, REFERENCE_RANGE) : minSignal;
    // Rain drops and snow flakes shade and echo per beam (their extinction included, so fog's,
    // rain's and snow's multiply); each beam draws its particles from its own seeds.
    const rain = rainRate > 0 ? this.particleTables(rainfall(rainRate), floor) : undefined;
    const snow = snowRate > 0 ? this.particleTables(snowfall(snowRate), floor) : undefined;
    const scratch = rain || snow ? (this.snowScratch ??= createSnowScratch()) : undefined;
    const mode = beam?.returnMode ?? 'strongest';
    const capacity = this.rayCount * (mode === 'dual' ? 2 : 1);
    const range = new Float64Array(capacity);
    const intensity = new Float32Array(capacity);
    const cls = new Uint8Array(capacity);
    const inst = new Uint32Array(capacity);
    const beamOf = new Uint32Array(capacity);
    const returnIndex = new Uint8Array(capacity);
    const valid = new Uint8Array(capacity);
    const list = this.echoes;
    const picked = this.picked;
    let count = 0;
    for (let i = 0; i < this.rayCount; i++) {
      this.beamEchoes(i, medium);
      // Every particle of the beam comes from its own seed: no order or thread dependence.
      if (rain) applyPrecipitation(list, rain, Math.floor(passThroughUniform(this.transmissionSeed, seq, i, DROP_HASH_KEY) * 4294967296), scratch!);
      if (snow) applyPrecipitation(list, snow, Math.floor(passThroughUniform(this.transmissionSeed, seq, i, SNOW_HASH_KEY) * 4294967296), scratch!);
      // Off, the plain LiDAR's order: the strongest echo, then the floor (a draw for each echo).
      const n = beam ? pickReturns(mode, list, picked, floor) : pickReturns('strongest', list, picked);
      let reported = 0;
      for (let q = 0; q < n; q++) {
        const k = picked[q];
        const value = list.amplitude[k];
        if ((dropoutBase > 0 && this.random.next() < dropoutBase) || value < floor) continue;
        range[count] = std > 0 ? Math.max(0, list.range[k] + this.random.normal(0, std)) : list.range[k];
        intensity[count] = value;
        cls[count] = list.classId[k];
        inst[count] = list.instance[k];
        beamOf[count] = i;
        returnIndex[count] = q;
        valid[count++] = 1;
        reported++;
      }
      if (reported === 0 && noReturn === 'keep') beamOf[count++] = i;
    }
    const points = new Float32Array(count * 4);
    const ring = new Uint16Array(count);
    const timeOffset = new Uint32Array(count);
    for (let k = 0; k < count; k++) {
      const i = beamOf[k];
      const o = i * 3;
      if (valid[k] === 1) {
        // The point lies on the beam's axis, as a real sensor reports it.
        points[k * 4] = range[k] * this.pattern[o];
        points[k * 4 + 1] = range[k] * this.pattern[o + 1];
        points[k * 4 + 2] = range[k] * this.pattern[o + 2];
        points[k * 4 + 3] = intensity[k];
      }
      ring[k] = this.rings[i % this.channels];
      timeOffset[k] = distorted ? this.rayTimeNs[i] : 0;
    }
    return {
      v: FRAME_VERSION,
      topic: this.topic,
      kind: 'lidar',
      seq,
      t_ns: tNs,
      frame_id: this.config.name,
      pose,
      fields: {
        channels: this.channels,
        columns: this.columns,
        rate_hz: this.config.rateHz,
        min_range: this.config.minRange,
        max_range: this.config.maxRange,
        point_count: count,
        motion_distortion: distorted,
        gt_kinds: actors.map((a) => a.kind),
        // Vehicle body from sensor, row-major 3x4: the extrinsic calibration (and the parent, off the ego).
        ...this.mountFields,
        // Only when some weather is set: a clear sweep's fields are what they were.
        ...(weather && !isClearWeather(weather) ? { weather: JSON.stringify(weather) } : {}),
        ...(weather?.fog ? { fog_visibility: weather.fog.visibility } : {}),
        ...(rainRate > 0 ? { rain_rate: rainRate } : {}),
        ...(snowRate > 0 ? { snow_rate: snowRate } : {}),
        ...(wet > 0 ? { wet_road: wet } : {}),
        ...(beam ? { return_mode: mode, sub_rays: beam.subRays, divergence: beam.divergence / DEG, range_resolution: beam.rangeResolution } : {}),
      },
      data: {
        points: arrayField(points, [count, 4]),
        ring: arrayField(ring, [count]),
        time_offset_ns: arrayField(timeOffset, [count]),
        semantic: arrayField(cls.slice(0, count), [count]),
        instance: arrayField(inst.slice(0, count), [count]),
        ...(noReturn === 'keep' ? { valid: arrayField(valid.slice(0, count), [count]) } : {}),
        ...(beam ? { return: arrayField(returnIndex.slice(0, count), [count]) } : {}),
        ...boxesInSensorFrame(pose, actors, points),
      },
    };
  }

  /**
   * Fills `this.echoes` with beam i's candidate echoes: each sub-ray's surface echo, weighted
   * by its share of the beam, merged within the range resolution; then, in fog, the fog's echo.
   */
  private beamEchoes(i: number, medium: Medium): void {
    const { distance } = this.hits;
    const list = this.echoes;
    const k = this.subRays;
    const { maxRange, minRange } = this.config;
    list.clear();
    // Where the beam ends: its farthest sub-ray's surface, or the maximum range if one meets nothing.
    let end = -1;
    for (let s = 0; s < k; s++) {
      const j = i * k + s;
      const d = distance[j];
      if (d === Infinity) {
        end = maxRange;
        continue;
      }
      if (end < maxRange && d > end) end = d;
      this.surfaceEcho(j, this.weights[s], medium);
    }
    if (k > 1) list.merge(this.config.beam!.rangeResolution);
    const fog = medium.fog;
    if (!fog) return;
    if (end < 0) end = maxRange;
    // The beam sees the fog up to where it ends.
    const soft = softPeak(fog, end);
    if (soft.range < minRange) return;
    // With sub-rays, the fog's echo comes from those still going at its peak.
    let share = 1;
    if (k > 1) {
      share = 0;
      for (let s = 0; s < k; s++) if (distance[i * k + s] >= soft.range) share += this.weights[s];
    }
    // One peak range for every ray would draw a sphere: spread the point over the pulse's
    // range resolution cτ_H/2 about the peak, never past where the beam ends (Hahner et al.
    // also draw the fog point's place at random).
    const u = passThroughUniform(this.transmissionSeed, medium.seq, i, FOG_HASH_KEY);
    const r = Math.min(end, Math.max(minRange, soft.range + (u - 0.5) * fog.pulseLength * 0.5));
    // A fog return belongs to no surface: class 0 (unlabeled), instance 0.
    list.push(r, soft.value * share, 0, 0, ECHO_FOG);
  }

  /**
   * The echo of ray j's surface (the hit it stopped at), carrying `weight` of the beam's power:
   * intensity from the material, a wet road's loss and dropout, rain's range noise, and fog's
   * two-way extinction (rain's and snow's come with their particles, LidarPrecipitation.ts).
   * Hashes take the ray index j, which includes the sub-ray.
   */
  private surfaceEcho(j: number, weight: number, medium: Medium): void {
    const { distance, normal, reflectivity, materialId, classId, instanceId } = this.hits;
    const { directions } = this.batch;
    const d = distance[j];
    const o = j * 3;
    const cosIncidence = -(normal[o] * directions[o] + normal[o + 1] * directions[o + 1] + normal[o + 2] * directions[o + 2]);
    const material = materialId[j];
    // Actors' surfaces may carry their own paint; the map's have the material's value.
    const appearance = instanceId[j] !== 0 && instanceId[j] !== MISS ? medium.appearanceOf.get(instanceId[j]) : undefined;
    const rho = appearance ? surfaceNir(material, appearance) : reflectivity[j];
    const gain = RETROREFLECTIVE_BY_MATERIAL[material] !== 0 ? RETROREFLECTION_GAIN : 1;
    let value = rho * gain * Math.max(0, cosIncidence) * (REFERENCE_RANGE / d) ** 2;
    if (medium.wet > 0 && isRoadSurface(classId[j])) {
      // Water film: less diffuse return (LidarRain.ts), and some beams mirrored away.
      value *= wetFactor(medium.wet);
      if (passThroughUniform(this.transmissionSeed, medium.seq, j, WET_HASH_KEY) < wetDropout(medium.wet)) return;
    }
    let r = d;
    if (medium.rainRate > 0) {
      // Goodin's rain range error, from the ray's own hash (not the shared stream).
      const z = gaussianFromBits(passThroughUniform(this.transmissionSeed, medium.seq, j, RAIN_HASH_KEY) * 4294967296);
      r = Math.max(0, d + medium.rainSigmaPerMetre * d * z);
    }
    // The plain beam's one ray has weight 1, which leaves the value exactly as it was.
    value *= weight;
    if (medium.fog) value = attenuated(value, d, medium.fog.alpha);
    this.echoes.push(r, value, classId[j], instanceId[j] === MISS ? 0 : instanceId[j], ECHO_SURFACE);
  }
}

/** What the measurement model needs of the world and the weather for one sweep. */
interface Medium {
  appearanceOf: Map<number, Appearance>;
  seq: number;
  fog: FogEcho | undefined;
  rainRate: number;
  /** Goodin's range noise σ per metre of range at this rain rate (σ is linear in the range). */
  rainSigmaPerMetre: number;
  wet: number;
}

/** The appearance of each actor the world has placed, by instance id (hits report those). */
function appearances(world: World): Map<number, Appearance> {
  const byInstance = new Map<number, Appearance>();
  for (const actor of world.placedState?.actors ?? []) {
    if (actor.appearance) byInstance.set(actor.instanceId, actor.appearance);
  }
  return byInstance;
}
