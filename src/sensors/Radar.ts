import { arrayField, FRAME_VERSION, type Frame, type Pose } from '../core/frame.js';
import { RADAR_BY_MATERIAL } from '../core/materials.js';
import { composePose, rotationMatrix } from '../core/pose.js';
import type { Random } from '../core/Random.js';
import { createHitBuffer, MISS, type HitBuffer, type RayBatch } from '../raycast/RaycastScene.js';
import type { ActorState, WorldState } from '../sim/WorldState.js';
import type { World } from '../world/World.js';
import { clutterRcs, isGroundClass } from './RadarClutter.js';
import { radarFan, type RadarConfig } from './RadarConfig.js';
import { mergeUnresolved, poisson, swerling1Scan, wrapVelocity, type Detection } from './RadarDetection.js';
import { nuscenesFields, STANDING_SPEED, type NuscenesContext } from './RadarNuscenes.js';
import { rainAttenuationDbPerKm } from './RadarRain.js';
import { isClearWeather } from '../scenario/Scenario.js';
import { mountPose } from './Rig.js';
import { mountFields } from './MountFields.js';
import { SensorSchedule } from './SensorSchedule.js';

/** Scales the summed patch areas to RCS: a car's back (about 2 m^2 of metal) gives about 10 m^2. */
const RCS_GAIN = 8;
/** The carrier of the rain model (RadarRain.ts): the middle of the 76–77 GHz automotive band. */
export const RADAR_CARRIER_GHZ = 76.5;

/**
 * A radar as a ray fan: every hit is a scattering patch whose share of the radar cross
 * section is its area seen along the ray times its material's 77 GHz backscatter (a car's
 * metal body far above its glass and plastics, whatever its class) and cos^2 of its
 * incidence. Hits of one object in one range/azimuth cell add up to one detection, kept when
 * its SNR (radar equation: RCS / range^4) clears the threshold; the strongest
 * `maxDetections` are reported, plus seeded noise and Poisson false alarms. Optional, off
 * by default (RadarDetection.ts): unresolved detections merged, Swerling-I fluctuation with
 * detection against a false-alarm probability, radial velocity folded into +-v_max, and
 * multipath ghosts off static surfaces (castBounces), ground clutter (RadarClutter.ts) and the
 * nuScenes per-detection fields (RadarNuscenes.ts). In rain the SNR loses the two-way
 * attenuation of ITU-R P.838-3 (RadarRain.ts); no other weather touches a 77 GHz radar.
 *
 * Radial velocity is the range rate: the target's velocity minus the sensor's, along the
 * line of sight; negative when closing, positive when moving away.
 */
export class Radar {
  readonly schedule: SensorSchedule;
  readonly mount: Pose;
  readonly pattern: Float32Array;
  private readonly solidAngle: Float32Array;
  private readonly batch: RayBatch;
  private readonly hits: HitBuffer;
  /** The Swerling draws' own stream, split only when used: a rig without them draws as before. */
  private readonly fluctuation?: Random;
  /** The rays reflected off static surfaces, for multipath ghosts; only when enabled. */
  private readonly bounce?: { batch: RayBatch; hits: HitBuffer; ray: Int32Array };
  /** Rows of the fan (rays per azimuth column) and the azimuth width of one column (rad). */
  private readonly elCount: number;
  private readonly columnWidth: number;
  /** Actors seen moving so far, for dyn_prop 'stopped'; kept only with nuscenes_fields. */
  private readonly moved = new Set<number>();
  /** Rain's specific attenuation (dB/km) during the scan being made; 0 in dry weather. */
  private rainDbPerKm = 0;

  constructor(readonly config: RadarConfig, private readonly random: Random) {
    this.schedule = new SensorSchedule(config.rateHz);
    this.mount = mountPose(config.mount);
    const { azCount, elCount } = radarFan(config);
    const rays = azCount * elCount;
    this.elCount = elCount;
    this.columnWidth = config.azimuthFov / azCount;
    this.pattern = new Float32Array(rays * 3);
    this.solidAngle = new Float32Array(rays);
    for (let a = 0; a < azCount; a++) {
      const azimuth = -config.azimuthFov / 2 + (a + 0.5) * (config.azimuthFov / azCount);
      for (let e = 0; e < elCount; e++) {
        const elevation = -config.elevationFov / 2 + (e + 0.5) * (config.elevationFov / elCount);
        const i = a * elCount + e;
        this.pattern.set([Math.cos(elevation) * Math.cos(azimuth), Math.cos(elevation) * Math.sin(azimuth), Math.sin(elevation)], i * 3);
        this.solidAngle[i] = (config.azimuthFov / azCount) * (config.elevationFov / elCount) * Math.cos(elevation);
      }
    }
    this.batch = { origins: new Float32Array(rays * 3), directions: new Float32Array(rays * 3), count: rays, tMin: config.minRange, tMax: config.maxRange };
    this.hits = createHitBuffer(rays);
    if (config.fluctuation === 'swerling1') this.fluctuation = random.split('swerling1');
    if (config.multipathReflectivity !== undefined) {
      const batch = { origins: new Float32Array(rays * 3), directions: new Float32Array(rays * 3), count: 0, tMin: 1e-3, tMax: config.maxRange };
      this.bounce = { batch, hits: createHitBuffer(rays), ray: new Int32Array(rays) };
    }
  }

  get topic(): string {
    return `radar/${this.config.name}`;
  }

  capture(world: World, parent: ActorState, state: WorldState, tNs: number): Frame {
    const seq = this.schedule.fire(tNs);
    const rain = state.weather?.rain?.rate ?? 0;
    this.rainDbPerKm = rainAttenuationDbPerKm(RADAR_CARRIER_GHZ, rain);
    const pose = composePose(parent.pose, this.mount);
    const r = rotationMatrix(pose.q);
    const { origins, directions } = this.batch;
    for (let i = 0; i < this.batch.count; i++) {
      const [x, y, z] = [this.pattern[i * 3], this.pattern[i * 3 + 1], this.pattern[i * 3 + 2]];
      origins.set(pose.p, i * 3);
      directions[i * 3] = r[0] * x + r[1] * y + r[2] * z;
      directions[i * 3 + 1] = r[3] * x + r[4] * y + r[5] * z;
      directions[i * 3 + 2] = r[6] * x + r[7] * y + r[8] * z;
    }
    world.scene.castRanging(this.batch, this.hits, { ignoreInstanceId: parent.instanceId });
    if (this.bounce) this.castBounces(world, parent.instanceId);
    const velocityOf = new Map(state.actors.map((a) => [a.instanceId, a.velocity]));
    const detections = this.cluster(parent.velocity, velocityOf);
    const frame = this.frame(seq, tNs, pose, detections, this.config.nuscenesFields ? this.nuscenesContext(r, parent, state, velocityOf) : undefined);
    Object.assign(frame.fields, mountFields(this.mount, parent));
    // The weather in force, as the LiDAR's frames carry it; nothing in clear air.
    if (state.weather && !isClearWeather(state.weather)) frame.fields.weather = JSON.stringify(state.weather);
    if (rain > 0) Object.assign(frame.fields, { rain_rate: rain, rain_attenuation_db_per_km: this.rainDbPerKm });
    return frame;
  }

  /** The truth the nuScenes fields need, in the sensor frame (r maps sensor to world: its transpose back). */
  private nuscenesContext(r: ArrayLike<number>, parent: ActorState, state: WorldState, velocityOf: Map<number, readonly number[]>): NuscenesContext {
    for (const a of state.actors) if (Math.hypot(a.velocity[0], a.velocity[1]) >= STANDING_SPEED) this.moved.add(a.instanceId);
    const toSensor = (v: readonly number[]): number[] => [
      r[0] * v[0] + r[3] * v[1] + r[6] * v[2], r[1] * v[0] + r[4] * v[1] + r[7] * v[2], r[2] * v[0] + r[5] * v[1] + r[8] * v[2],
    ];
    const { rangeResolution, azimuthResolution, rangeNoiseStd, azimuthNoiseStd, velocityNoiseStd } = this.config;
    return {
      rangeResolution, azimuthResolution, rangeNoiseStd, azimuthNoiseStd, velocityNoiseStd,
      sensorVelocity: toSensor(parent.velocity),
      groundVelocity: (d) => toSensor(d.instance === 0 ? [0, 0, 0] : velocityOf.get(d.instance) ?? [0, 0, 0]),
      hasMoved: (instance) => this.moved.has(instance),
    };
  }

  /**
   * Multipath by the image method, ray-traced: every ray that hits a static surface (road,
   * wall) is reflected specularly there and cast on. Where the reflected ray meets an actor,
   * the echo comes back the same way (sensor, wall, target, wall, sensor) and appears along
   * the first ray at the two legs' summed length: the target's mirror image in the surface.
   */
  private castBounces(world: World, parentInstance: number): void {
    const bounce = this.bounce!;
    const { distance, normal, instanceId } = this.hits;
    const { origins, directions } = this.batch;
    let n = 0;
    for (let i = 0; i < this.batch.count; i++) {
      if (distance[i] === Infinity || (instanceId[i] !== MISS && instanceId[i] !== 0)) continue;
      const o = i * 3;
      const dx = directions[o], dy = directions[o + 1], dz = directions[o + 2];
      const dn = normal[o] * dx + normal[o + 1] * dy + normal[o + 2] * dz;
      const b = n * 3;
      for (let k = 0; k < 3; k++) {
        bounce.batch.origins[b + k] = origins[o + k] + directions[o + k] * distance[i];
        bounce.batch.directions[b + k] = directions[o + k] - 2 * dn * normal[o + k];
      }
      bounce.ray[n++] = i;
    }
    bounce.batch.count = n;
    if (n > 0) world.scene.castRanging(bounce.batch, bounce.hits, { ignoreInstanceId: parentInstance });
  }

  private cluster(sensorVelocity: readonly number[], velocityOf: Map<number, readonly number[]>): Detection[] {
    const { distance, normal, materialId, instanceId, classId } = this.hits;
    const { directions } = this.batch;
    const cells = new CellMap(this.config.azimuthResolution);
    const gammaDb = this.config.clutterGammaDb;
    // Range cells of each azimuth column already given their clutter: a cell's ground is counted once, however many rows meet it.
    const cluttered = new Set<number>();
    const columns = Math.ceil(this.batch.count / this.elCount);
    for (let i = 0; i < this.batch.count; i++) {
      const range = distance[i];
      if (range === Infinity) continue;
      const o = i * 3;
      const dx = directions[o], dy = directions[o + 1], dz = directions[o + 2];
      const cos = -(normal[o] * dx + normal[o + 1] * dy + normal[o + 2] * dz);
      const instance = instanceId[i] === MISS ? 0 : instanceId[i];
      const rangeCell = Math.floor(range / this.config.rangeResolution);
      const azimuth = Math.atan2(this.pattern[o + 1], this.pattern[o]);
      const azimuthCell = Math.floor((azimuth + Math.PI) / this.config.azimuthResolution);
      const ground = gammaDb !== undefined && instance === 0 && isGroundClass(classId[i]);
      if (ground) {
        const strip = rangeCell * columns + Math.floor(i / this.elCount);
        if (cluttered.has(strip)) continue;
        cluttered.add(strip);
      }
      // Ground: sigma0(psi) times the strip's area, cos the sine of the grazing angle; else the patch model.
      const rcs = ground
        ? clutterRcs(gammaDb, Math.asin(Math.min(1, cos)), range, this.config.rangeResolution, this.columnWidth)
        : RCS_GAIN * RADAR_BY_MATERIAL[materialId[i]] * cos * cos * this.solidAngle[i] * range * range;
      if (!(rcs > 0)) continue;
      const target = velocityOf.get(instance) ?? STILL;
      const radialVelocity = (target[0] - sensorVelocity[0]) * dx + (target[1] - sensorVelocity[1]) * dy + (target[2] - sensorVelocity[2]) * dz;
      const elevation = Math.asin(this.pattern[o + 2]);
      const cell = cells.cell(ground ? CLUTTER : instance, rangeCell, azimuthCell, classId[i]);
      addToCell(cell, rcs, range, azimuth, elevation, radialVelocity);
    }
    if (this.bounce) this.addGhosts(cells, sensorVelocity, velocityOf);
    let found: Detection[] = [];
    for (const cell of cells.all()) {
      found.push({ ...cell, range: cell.range / cell.rcs, azimuth: cell.azimuth / cell.rcs, elevation: cell.elevation / cell.rcs, radialVelocity: cell.radialVelocity / cell.rcs });
    }
    // Unresolved targets share one cell of the real sensor: merged before detection, as their echoes add.
    if (this.config.mergeUnresolved) found = mergeUnresolved(found, this.config.rangeResolution, this.config.azimuthResolution);
    const detections = this.detect(found);
    detections.sort((a, b) => this.snr(b.rcs, b.range) - this.snr(a.rcs, a.range) || a.range - b.range);
    detections.length = Math.min(detections.length, this.config.maxDetections);
    const { rangeNoiseStd, azimuthNoiseStd, velocityNoiseStd } = this.config;
    for (const d of detections) {
      if (rangeNoiseStd > 0) d.range += this.random.normal(0, rangeNoiseStd);
      if (azimuthNoiseStd > 0) d.azimuth += this.random.normal(0, azimuthNoiseStd);
      if (velocityNoiseStd > 0) d.radialVelocity += this.random.normal(0, velocityNoiseStd);
    }
    const vMax = this.config.maxUnambiguousVelocity;
    // Folded after the noise: the sensor measures the Doppler phase, noise and all, modulo 2 v_max.
    if (vMax !== undefined) {
      for (const d of detections) {
        const folded = wrapVelocity(d.radialVelocity, vMax);
        d.velocityWrapped = folded !== d.radialVelocity;
        d.radialVelocity = folded;
      }
    }
    for (let n = poisson(this.random, this.config.falseAlarmRate); n > 0; n--) {
      const range = this.random.uniform(this.config.minRange, this.config.maxRange);
      // A false alarm just clears the threshold: the weakest thing a detector reports.
      const rcs = 10 ** ((this.thresholdDb() - this.config.sensitivityDb) / 10) * range ** 4;
      const azimuth = this.random.uniform(-this.config.azimuthFov / 2, this.config.azimuthFov / 2);
      // Any velocity the sensor can report: within +-v_max when it folds.
      const radialVelocity = vMax === undefined ? this.random.uniform(-30, 30) : this.random.uniform(-vMax, vMax);
      detections.push({ range, azimuth, elevation: 0, radialVelocity, rcs, instance: 0, falseAlarm: true, ...(vMax === undefined ? {} : { velocityWrapped: false }) });
    }
    return detections;
  }

  /**
   * The multipath echoes, as hits of their own cells (flagged ghost): range the two legs'
   * sum, bearing the first ray's, RCS as a direct hit at that range times the reflectivity
   * squared (reflected going and coming back), and the range rate of the path, the sensor's
   * velocity along the first leg and the target's along the second (the reflection point's
   * own motion changes the path length only to second order: Fermat).
   */
  private addGhosts(cells: CellMap, sensorVelocity: readonly number[], velocityOf: Map<number, readonly number[]>): void {
    const { batch, hits, ray } = this.bounce!;
    const gain = this.config.multipathReflectivity! ** 2;
    for (let j = 0; j < batch.count; j++) {
      const instance = hits.instanceId[j];
      if (hits.distance[j] === Infinity || instance === MISS || instance === 0) continue;
      const i = ray[j], o = i * 3, g = j * 3;
      const range = this.hits.distance[i] + hits.distance[j];
      if (range > this.config.maxRange) continue;
      const ex = batch.directions[g], ey = batch.directions[g + 1], ez = batch.directions[g + 2];
      const cos = -(hits.normal[g] * ex + hits.normal[g + 1] * ey + hits.normal[g + 2] * ez);
      const rcs = gain * RCS_GAIN * RADAR_BY_MATERIAL[hits.materialId[j]] * cos * cos * this.solidAngle[i] * range * range;
      if (!(rcs > 0)) continue;
      const target = velocityOf.get(instance) ?? STILL;
      const d = this.batch.directions;
      const radialVelocity = target[0] * ex + target[1] * ey + target[2] * ez - (sensorVelocity[0] * d[o] + sensorVelocity[1] * d[o + 1] + sensorVelocity[2] * d[o + 2]);
      const azimuth = Math.atan2(this.pattern[o + 1], this.pattern[o]);
      const elevation = Math.asin(this.pattern[o + 2]);
      const cell = cells.cell(GHOST - instance, Math.floor(range / this.config.rangeResolution), Math.floor((azimuth + Math.PI) / this.config.azimuthResolution), hits.classId[j]);
      addToCell(cell, rcs, range, azimuth, elevation, radialVelocity);
    }
  }

  /**
   * Which detections are reported this scan. Steady targets: those whose SNR clears
   * min_snr_db. Swerling I: each (a resolved target) draws its scan's RCS and is kept with
   * probability Pfa^(1/(1+SNR)) of its mean SNR (swerling1Scan); in the order of the cells,
   * so the same seed gives the same draws.
   */
  private detect(found: Detection[]): Detection[] {
    const stream = this.fluctuation;
    if (!stream) return found.filter((d) => this.snr(d.rcs, d.range) >= this.config.minSnrDb);
    const detections: Detection[] = [];
    for (const d of found) {
      const factor = swerling1Scan(stream, 10 ** (this.snr(d.rcs, d.range) / 10), this.config.falseAlarmProbability);
      if (factor !== undefined) detections.push({ ...d, rcs: d.rcs * factor });
    }
    return detections;
  }

  /** SNR (dB) of the weakest detection: min_snr_db, or for Swerling I the power -ln Pfa over the noise. */
  private thresholdDb(): number {
    if (!this.fluctuation) return this.config.minSnrDb;
    return 10 * Math.log10(Math.max(-Math.log(this.config.falseAlarmProbability) - 1, 1e-3));
  }

  /** The radar equation in dB, less rain's attenuation there and back (2 γ_R R). */
  private snr(rcs: number, range: number): number {
    return this.config.sensitivityDb + 10 * Math.log10(rcs) - 40 * Math.log10(range) - (2 * this.rainDbPerKm * range) / 1000;
  }

  /** Which detections are ground clutter, and every detection's semantic class (clutter: its surface's; false alarms 0). */
  private clutterData(detections: Detection[]): Frame['data'] {
    const n = detections.length;
    return {
      clutter: arrayField(Uint8Array.from(detections, (d) => (d.clutter ? 1 : 0)), [n]),
      semantic: arrayField(Uint8Array.from(detections, (d) => d.classId ?? 0), [n]),
    };
  }

  private frame(seq: number, tNs: number, pose: Pose, detections: Detection[], nuscenes?: NuscenesContext): Frame {
    const n = detections.length;
    const table = new Float32Array(n * 6);
    const xyz = new Float32Array(n * 3);
    const instance = new Uint32Array(n);
    const falseAlarm = new Uint8Array(n);
    const wrapped = new Uint8Array(n);
    const ghost = new Uint8Array(n);
    detections.forEach((d, i) => {
      table.set([d.range, d.azimuth, d.elevation, d.radialVelocity, 10 * Math.log10(d.rcs), this.snr(d.rcs, d.range)], i * 6);
      xyz.set([d.range * Math.cos(d.elevation) * Math.cos(d.azimuth), d.range * Math.cos(d.elevation) * Math.sin(d.azimuth), d.range * Math.sin(d.elevation)], i * 3);
      instance[i] = d.instance;
      falseAlarm[i] = d.falseAlarm ? 1 : 0;
      wrapped[i] = d.velocityWrapped ? 1 : 0;
      ghost[i] = d.ghost ? 1 : 0;
    });
    return {
      v: FRAME_VERSION,
      topic: this.topic,
      kind: 'radar',
      seq,
      t_ns: tNs,
      frame_id: this.config.name,
      pose,
      fields: { detection_count: n, max_range: this.config.maxRange, columns: ['range', 'azimuth', 'elevation', 'radial_velocity', 'rcs_dbsm', 'snr_db'] },
      data: {
        detections: arrayField(table, [n, 6]),
        xyz: arrayField(xyz, [n, 3]),
        instance: arrayField(instance, [n]),
        false_alarm: arrayField(falseAlarm, [n]),
        // Only from a radar that folds velocities, so other radars' frames are as they were.
        ...(this.config.maxUnambiguousVelocity === undefined ? {} : { velocity_wrapped: arrayField(wrapped, [n]) }),
        ...(this.bounce ? { multipath: arrayField(ghost, [n]) } : {}),
        ...(this.config.clutterGammaDb === undefined ? {} : this.clutterData(detections)),
        ...(nuscenes ? nuscenesData(nuscenesFields(detections, nuscenes), n) : {}),
      },
    };
  }
}

/** The nuScenes fields as frame arrays (RadarNuscenes.ts; the README's table names them). */
function nuscenesData(f: ReturnType<typeof nuscenesFields>, n: number): Frame['data'] {
  return {
    dyn_prop: arrayField(f.dynProp, [n]),
    ambig_state: arrayField(f.ambigState, [n]),
    invalid_state: arrayField(f.invalidState, [n]),
    pdh0: arrayField(f.pdh0, [n]),
    is_quality_valid: arrayField(f.isQualityValid, [n]),
    velocity_xy: arrayField(f.velocity, [n, 4]),
    rms: arrayField(f.rms, [n, 4]),
  };
}

/**
 * Adds one ray's patch to its resolution cell (the cell `fresh` starts from when it is new): an
 * RCS-weighted sum, so the cell's centroid follows its strongest scatterers, as a real
 * detector's does.
 */
/** The velocity of what has none listed (the static world). */
const STILL = [0, 0, 0] as const;
/** A cell's source for the ground's clutter; a ghost's is GHOST - its instance (instances are non-negative). */
const CLUTTER = -1;
const GHOST = -2;

/**
 * A scan's cells by source (an instance, the ground's clutter, or an instance's ghost), range
 * cell and azimuth cell, in the order each was first met (the order the detector reads them).
 * Keyed by number: a source's index (in first-met order) times 2^32 plus the cell's, unique
 * while a range cell count times the azimuth cells stays under 2^32, where a string key per hit
 * ray was most of a radar's garbage.
 */
class CellMap {
  private readonly cells = new Map<number, Detection>();
  private readonly sources = new Map<number, number>();
  private readonly azimuthCells: number;

  constructor(azimuthResolution: number) {
    this.azimuthCells = Math.floor((2 * Math.PI) / azimuthResolution) + 1;
  }

  /** The cell of `source` at (rangeCell, azimuthCell), made empty (with that source's fields) when first met. */
  cell(source: number, rangeCell: number, azimuthCell: number, classId: number): Detection {
    let index = this.sources.get(source);
    if (index === undefined) this.sources.set(source, (index = this.sources.size));
    const key = index * 2 ** 32 + rangeCell * this.azimuthCells + azimuthCell;
    let cell = this.cells.get(key);
    if (cell) return cell;
    if (source === CLUTTER) cell = { range: 0, azimuth: 0, elevation: 0, radialVelocity: 0, rcs: 0, instance: 0, falseAlarm: false, clutter: true, classId };
    else if (source <= GHOST) cell = { range: 0, azimuth: 0, elevation: 0, radialVelocity: 0, rcs: 0, instance: GHOST - source, falseAlarm: false, ghost: true, classId };
    else cell = { range: 0, azimuth: 0, elevation: 0, radialVelocity: 0, rcs: 0, instance: source, falseAlarm: false, classId };
    this.cells.set(key, cell);
    return cell;
  }

  all(): IterableIterator<Detection> {
    return this.cells.values();
  }
}

function addToCell(cell: Detection, rcs: number, range: number, azimuth: number, elevation: number, radialVelocity: number): void {
  cell.range += rcs * range;
  cell.azimuth += rcs * azimuth;
  cell.elevation += rcs * elevation;
  cell.radialVelocity += rcs * radialVelocity;
  cell.rcs += rcs;
}
