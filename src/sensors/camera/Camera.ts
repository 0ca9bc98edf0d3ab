import { arrayField, FRAME_VERSION, type ArrayField, type Frame, type Pose } from '../../core/frame.js';
import type { Appearance } from '../../core/materials.js';
import { composePose } from '../../core/pose.js';
import { finishNow, type PoolWork } from '../../raycast/PoolTasks.js';
import { createHitBuffer, MISS, type HitBuffer, type RayBatch } from '../../raycast/RaycastScene.js';
import { isClearWeather, type Weather } from '../../scenario/Scenario.js';
import type { ActorState } from '../../sim/WorldState.js';
import type { World } from '../../world/World.js';
import type { CameraConfig } from '../CameraConfig.js';
import { interpolatePose } from '../interpolation.js';
import { meteredShutter } from './Exposure.js';
import { stateAfter, SubFrameMean, subFrameTimes } from './MotionBlur.js';
import { drawPrecipitation, type ParticleKind } from './Precipitation.js';
import { visibleParticles } from './PrecipitationVeil.js';
import { seedOfName } from './SensorNoise.js';
import { mountPose } from '../Rig.js';
import { mountFields, type MountFields } from '../MountFields.js';
import { SensorSchedule } from '../SensorSchedule.js';
import { BoxMeasure, boxedObjects } from './Boxes2d.js';
import { cameraView, OPTICAL_IN_BODY, sunDirection, type CameraView } from './CameraView.js';
import { Lens } from './Lens.js';
import { LensRemap } from './LensRemap.js';
import { Rasterizer } from './Rasterizer.js';
import { RealisticShader } from './RealisticShading.js';
import { Shader } from './Shading.js';
import { GpuVisibility, rasterParts } from './GpuVisibility.js';
import { TiledRender } from './TiledRender.js';
import type { GpuRaycaster } from '../../raycast/gpu/GpuRaycaster.js';

/**
 * How primary visibility is found: 'raster' (z-buffer over the world's triangles; rays only
 * for fisheye pixels beyond the pinhole render) or 'rays' (one ray per pixel through the
 * raycaster: the reference the raster path is checked and benchmarked against).
 */
export type CameraVisibility = 'raster' | 'rays';

/** The per-pixel results of one image, before they become a frame. */
interface PixelBuffers {
  depth: Float32Array;
  range: Float32Array;
  classId: Uint8Array;
  instanceId: Uint32Array;
  sunCosine: Float32Array;
  materialId: Uint8Array;
  /** World unit normal facing the camera, 3 per pixel. */
  normal: Float32Array;
}

/**
 * A camera: RGB8, depth, semantic and instance images, and 2D boxes of the actors seen.
 *
 * The frame's pose is the optical frame's (x right, y down, z forward) pose in the world at
 * the start of the exposure; `frame_id` is `<name>_optical`. Depth is metres along the optical
 * axis (pinhole) or along the pixel's ray (fisheye, whose rays may point sideways or back);
 * 0 where nothing was hit. With a rolling shutter each band of rows is drawn from the camera's
 * pose at its own time (rows read top to bottom over `readoutTime`), the other actors where the
 * simulation step puts them.
 */
export class Camera {
  readonly lens: Lens;
  readonly remap: LensRemap;
  readonly schedule: SensorSchedule;
  readonly mount: Pose;
  /** Where the image being finished sits on its parent (set when its last band is drawn). */
  private mountFields: MountFields = { mount: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0] };
  readonly sun: [number, number, number];
  readonly bandCount: number;
  private readonly raster: Rasterizer;
  /** The palette shader (`shading: palette`), or the realistic one (for the 'rays' reference; tiles shade their own). */
  private readonly shader: Shader | undefined;
  private readonly realistic: RealisticShader | undefined;
  private readonly boxMeasure: BoxMeasure;
  /**
   * The image drawn and shaded in tiles on the world's pool (every core), for every camera
   * that rasterises: the frame's render, resolve, shading and boxes' occlusion, the same bytes
   * for any number of threads. Only the 'rays' reference renders here in one pass.
   */
  private tiled: TiledRender | undefined;
  /** Visibility drawn on the GPU instead (useGpu): the render's bands, each with the parts placed when it was read. */
  private gpu: { visibility: GpuVisibility; parts: Float64Array[] } | undefined;
  private tiledLinear: Float32Array | undefined;
  private tiledRgb: Uint8Array | undefined;
  private tiledAlone: Int32Array | undefined;
  /** The instances the tiles counted (merged), for the boxes. */
  private tiledStats: number[][] | undefined;
  /** The image the tiles developed (RGB8, and raw with noise), where nothing is drawn over it. */
  private tiledImage: { rgb: Uint8Array; raw: Uint16Array | undefined } | undefined;
  /** First render row of each band, and each band's time offset (ns) from the exposure start. */
  private readonly bandStart: Int32Array;
  private readonly bandOffsetNs: Float64Array;
  private readonly views: CameraView[];
  /** The 'rays' reference's batch: a ray per pixel. */
  private readonly castBatch: RayBatch;
  private readonly castHits: HitBuffer;
  private exposure: { startNs: number; seq: number; nextBand: number; weather?: Weather } | undefined;
  /** Each band's parent pose dt seconds after the band's time (for motion-blur sub-frames). */
  private readonly bandPose: ((dt: number) => Pose)[];
  /** The camera's world velocity (m/s) over the exposure (rain and snow move relative to it). */
  private cameraVelocity: readonly number[] = [0, 0, 0];
  /** The weather of the image being finished. */
  private weather: Weather | undefined;
  /**
   * The sun, fog distance and realistic shader in force: the rig's own unless the weather
   * gives a sun or a fog (one fog drives every sensor). The weather's shader is kept while the
   * weather stays the same, since the sky model behind it is set up once per sun.
   */
  private light: { key: string; sun: [number, number, number]; fogDistance: number; realistic: RealisticShader | undefined };

  constructor(readonly config: CameraConfig, readonly visibility: CameraVisibility = 'raster') {
    this.lens = new Lens(config);
    this.remap = new LensRemap(this.lens, config.width, config.height);
    this.schedule = new SensorSchedule(config.rateHz);
    this.mount = mountPose(config.mount);
    this.sun = sunDirection(config.sunAzimuth, config.sunElevation);
    const target = this.remap.target;
    this.raster = new Rasterizer(target);
    const pixels = config.width * config.height;
    if (config.shading === 'palette') this.shader = new Shader(pixels);
    else this.realistic = new RealisticShader(pixels, this.sun, config.turbidity, config.exposureBias, config.fogDistance, { exposure: config.exposure, noise: config.noise });
    this.boxMeasure = new BoxMeasure(this.remap);
    const rows = config.rollingShutter && visibility === 'raster' ? config.rollingShutter.rowsPerBand : target.height;
    this.bandCount = Math.ceil(target.height / rows);
    this.bandStart = new Int32Array(this.bandCount + 1);
    this.bandOffsetNs = new Float64Array(this.bandCount);
    for (let b = 0; b < this.bandCount; b++) {
      const r0 = b * rows, r1 = Math.min(target.height, r0 + rows);
      this.bandStart[b] = r0;
      const readout = config.rollingShutter && visibility === 'raster' ? config.rollingShutter.readoutTime : 0;
      // The band is taken when the camera row at its middle is read.
      const row = this.remap.rowOfRenderRow[Math.floor((r0 + r1 - 1) / 2)];
      this.bandOffsetNs[b] = Math.round((readout * 1e9 * row) / config.height);
    }
    this.bandStart[this.bandCount] = target.height;
    this.views = new Array<CameraView>(this.bandCount);
    this.bandPose = new Array<(dt: number) => Pose>(this.bandCount);
    const m = visibility === 'rays' ? pixels : 0;
    this.castBatch = { origins: new Float32Array(m * 3), directions: new Float32Array(m * 3), count: m, tMin: config.near, tMax: config.far };
    this.castHits = createHitBuffer(m);
    this.light = { key: '', sun: this.sun, fogDistance: config.fogDistance, realistic: this.realistic };
    if (visibility === 'raster') this.tiled = this.tiledRender(false);
  }

  /** The tiles an image is drawn and shaded in; `gpu`: they copy a render the GPU drew. */
  private tiledRender(gpu: boolean): TiledRender {
    const config = this.config, rgb = config.outputs.includes('rgb');
    return new TiledRender({
      remap: this.remap, near: config.near, far: config.far, fisheye: config.model === 'fisheye', bands: this.bandStart,
      shading: !rgb ? 'none' : config.shading === 'palette' ? 'palette' : 'realistic',
      corners: this.cornerSamples, noise: this.realistic?.noise !== undefined, gpu,
    });
  }

  /** Corner samples (anti-aliasing) where there is a realistic RGB image to smooth. */
  private get cornerSamples(): boolean {
    return this.config.outputs.includes('rgb') && this.config.shading !== 'palette';
  }

  /**
   * Takes the sun and fog from the weather where it gives them. Fog: the camera's fog factor is
   * e^(-r / fogDistance), so the extinction α = ln(20) / visibility of the LiDAR (LidarFog.ts,
   * Koschmieder at 5 % contrast) means fogDistance = visibility / ln(20). Sun: the weather's
   * azimuth is clockwise from north (degrees), the camera's counter-clockwise from east (+x),
   * so it is 90° - azimuth. Without either, the rig's light is used untouched (byte-identical).
   */
  private useWeather(weather: Weather | undefined): void {
    if (!weather?.sun && !weather?.fog) {
      if (this.light.key !== '') this.light = { key: '', sun: this.sun, fogDistance: this.config.fogDistance, realistic: this.realistic };
      return;
    }
    const key = JSON.stringify([weather.sun, weather.fog?.visibility]);
    if (key === this.light.key) return;
    const deg = Math.PI / 180;
    const sun = weather.sun ? sunDirection((90 - weather.sun.azimuth) * deg, weather.sun.elevation * deg) : this.sun;
    const fogDistance = weather.fog ? weather.fog.visibility / Math.log(20) : this.config.fogDistance;
    const c = this.config;
    const realistic = this.realistic
      ? new RealisticShader(c.width * c.height, sun, c.turbidity, c.exposureBias, fogDistance, { exposure: c.exposure, noise: c.noise })
      : undefined;
    this.light = { key, sun, fogDistance, realistic };
  }

  /**
   * Draws this camera's visibility on the GPU from now on (GpuVisibility.ts): its pinhole
   * render and its corner samples (anti-aliasing), band by band, rasterised there over the same
   * triangles; the tiles then resolve, shade and develop them on every core as they do the
   * CPU's render. A camera that rasterises only.
   */
  useGpu(gpu: GpuRaycaster): void {
    if (this.visibility !== 'raster') throw new Error(`camera ${this.config.name}: only a rasterising camera draws on the GPU`);
    // Its bands read so far were placed for the CPU's tiles only.
    if (this.exposing) throw new Error(`camera ${this.config.name}: moved to the GPU while an exposure is being read out`);
    this.tiled?.dispose();
    this.tiled = this.tiledRender(true);
    this.gpu = { visibility: new GpuVisibility(gpu, this.remap, { near: this.config.near, far: this.config.far }), parts: new Array<Float64Array>(this.bandCount) };
  }

  /**
   * Lets the camera go (a sensor removed, a run ended): what the pool's workers keep for its
   * tiles is dropped. A camera that captures again after this sets its tiles up again.
   */
  dispose(): void {
    this.tiled?.dispose();
  }

  get topic(): string {
    return `camera/${this.config.name}`;
  }

  /** Whether a rolling-shutter exposure is being read out (begun, its last band not yet drawn). */
  get exposing(): boolean {
    return this.exposure !== undefined;
  }

  /** The time offset (ns from the exposure start) at which each camera row is read. */
  rowTimeNs(row: number): number {
    const r = this.config.rollingShutter;
    return r && this.visibility === 'raster' ? Math.round((r.readoutTime * 1e9 * row) / this.config.height) : 0;
  }

  /** A whole image from the parent's pose at tNs (every band at once; no rolling shutter). The world must be placed for tNs. */
  capture(world: World, parent: ActorState, tNs: number, weather?: Weather): Frame {
    return finishNow(this.captureWork(world, parent, tNs, weather));
  }

  /**
   * As `capture`, yielding each phase its tiles run on the pool (PoolWork): the run's sensor
   * pipeline does other sensors' work meanwhile. The world must stay placed as it is until
   * the work ends.
   */
  *captureWork(world: World, parent: ActorState, tNs: number, weather?: Weather): PoolWork<Frame> {
    const seq = this.schedule.fire(tNs);
    this.useWeather(weather);
    const view = cameraView(composePose(parent.pose, this.mount), this.light.sun);
    const { p, q } = parent.pose, v = parent.velocity;
    // Within one shutter time the parent moves along its velocity (its turn rate is not in the state).
    const poseAfter = (dt: number): Pose => ({ p: [p[0] + v[0] * dt, p[1] + v[1] * dt, p[2] + v[2] * dt], q });
    for (let b = 0; b < this.bandCount; b++) {
      this.bandPose[b] = poseAfter;
      this.renderBand(world, view, b, parent.instanceId);
    }
    this.cameraVelocity = v;
    this.weather = weather;
    this.mountFields = mountFields(this.mount, parent, OPTICAL_IN_BODY);
    return yield* this.finish(world, seq, tNs, parent.instanceId);
  }

  /**
   * Draws the bands read in [fromNs, toNs), with the parent's pose interpolated to each band's
   * time between `from` and `to` (its states at those times); the world's actors must already
   * be placed for this interval. Returns the frame of an exposure that completes here.
   */
  advance(world: World, from: ActorState, to: ActorState, fromNs: number, toNs: number, weather?: Weather): Frame | undefined {
    return finishNow(this.advanceWork(world, from, to, fromNs, toNs, weather));
  }

  /** As `advance`, yielding the tiles' phases as `captureWork` does. */
  *advanceWork(world: World, from: ActorState, to: ActorState, fromNs: number, toNs: number, weather?: Weather): PoolWork<Frame | undefined> {
    // The weather at the exposure's start holds for the whole exposure, as the LiDAR's sweep.
    if (!this.exposure && this.schedule.isDue(fromNs)) this.exposure = { startNs: fromNs, seq: this.schedule.fire(fromNs), nextBand: 0, weather };
    const exposure = this.exposure;
    if (!exposure) return undefined;
    this.useWeather(exposure.weather);
    while (exposure.nextBand < this.bandCount && exposure.startNs + this.bandOffsetNs[exposure.nextBand] < toNs) {
      const f = (exposure.startNs + this.bandOffsetNs[exposure.nextBand] - fromNs) / (toNs - fromNs);
      const view = cameraView(composePose(interpolatePose(from.pose, to.pose, f), this.mount), this.light.sun);
      const span = (toNs - fromNs) / 1e9;
      this.bandPose[exposure.nextBand] = (dt: number) => interpolatePose(from.pose, to.pose, f + dt / span);
      this.renderBand(world, view, exposure.nextBand, from.instanceId);
      exposure.nextBand++;
    }
    if (exposure.nextBand < this.bandCount) return undefined;
    this.exposure = undefined;
    const span = (toNs - fromNs) / 1e9;
    this.cameraVelocity = [0, 1, 2].map((k) => (to.pose.p[k] - from.pose.p[k]) / span);
    this.weather = exposure.weather;
    this.mountFields = mountFields(this.mount, from, OPTICAL_IN_BODY);
    return yield* this.finish(world, exposure.seq, exposure.startNs, from.instanceId);
  }

  /** Takes one band's pose; the tiles draw it as the world is placed now (the 'rays' reference casts at the end). */
  private renderBand(world: World, view: CameraView, band: number, parentId: number): void {
    this.views[band] = view;
    this.tiled?.placeBand(band, world);
    if (this.gpu) this.gpu.parts[band] = rasterParts(world.placedParts, this.config.seeParent ? -1 : parentId);
  }

  /** Resolves the image from the render (and cast rays), measures boxes, shades it, builds the frame. */
  private *finish(world: World, seq: number, tNs: number, parentId: number): PoolWork<Frame> {
    const { width, height, outputs } = this.config;
    const pixels = yield* this.resolve(world, this.config.seeParent ? -1 : parentId, this.config.boxes ? parentId : undefined, seq);
    // Boxes first: they measure the render of the exposure start, which motion-blur sub-frames draw over.
    const boxes = this.config.boxes ? this.measureBoxes(world, pixels, parentId) : undefined;
    const data: Record<string, ArrayField> = {};
    if (outputs.includes('rgb')) data.rgb = arrayField(yield* this.image(world, pixels, seq, parentId), [height, width, 3]);
    if (outputs.includes('depth')) data.depth = arrayField(pixels.depth, [height, width]);
    if (outputs.includes('semantic')) data.semantic = arrayField(pixels.classId, [height, width]);
    if (outputs.includes('instance')) data.instance = arrayField(pixels.instanceId, [height, width]);
    const noise = this.light.realistic?.noise;
    if (this.config.raw && noise && outputs.includes('rgb')) data.raw = arrayField(this.tiledImage?.raw ?? Uint16Array.from(noise.raw), [height, width, 3]);
    const boxCount = boxes ? boxes.instanceIds.length : 0;
    if (boxes) {
      data.boxes2d = arrayField(boxes.boxes, [boxCount, 6]);
      data.boxes2d_instance = arrayField(boxes.instanceIds, [boxCount]);
      data.boxes2d_class = arrayField(boxes.classIds, [boxCount]);
      data.boxes2d_signal_state = arrayField(boxes.signalStates, [boxCount]);
    }
    const { fx, fy, cx, cy, model, distortion: d, rollingShutter } = this.config;
    const weather = this.weather;
    return {
      v: FRAME_VERSION,
      topic: this.topic,
      kind: 'camera',
      seq,
      t_ns: tNs,
      frame_id: `${this.config.name}_optical`,
      pose: this.views[0].optical,
      fields: {
        width, height, fx, fy, cx, cy, model,
        distortion: [d.k1, d.k2, d.k3, d.p1, d.p2],
        frame: 'optical: x right, y down, z forward; pixel (col, row) centred at (u, v) = (col, row)',
        depth: model === 'fisheye' ? 'range along the ray (m), 0 for none' : 'metres along the optical axis, 0 for none',
        rate_hz: this.config.rateHz,
        rolling_shutter_s: rollingShutter && this.visibility === 'raster' ? rollingShutter.readoutTime : 0,
        // Where its visibility was drawn, when not by the CPU's rasteriser (Camera.useGpu).
        ...(this.gpu && { visibility: 'gpu raster' }),
        boxes2d: 'x_min, y_min, x_max, y_max (inclusive pixel indices), truncation, occlusion',
        boxes2d_signal_state: 'a traffic or walk light\'s state: 1 red, 2 amber, 3 green, 4 off, 5 flashing red, 6 flashing amber; 0 for actors and signs',
        box_count: boxCount,
        // The optical frame on the parent's body (and the parent, off the ego).
        ...this.mountFields,
        outputs: [...outputs],
        ...(this.config.raw && noise && outputs.includes('rgb') && {
          raw: `uint16 digital numbers [height, width, 3], R, G, B each a pixel of its own; black level ${noise.config.blackLevelDn} DN, gain K ${noise.gain} DN/e-, ${noise.config.bits} bits`,
        }),
        ...(this.config.motionBlur && { motion_blur_samples: this.config.motionBlur.samples, shutter_s: this.shutter() }),
        // The weather in force, as on the LiDAR's and radar's frames; a clear frame's fields are what they were.
        ...(weather && !isClearWeather(weather) && { weather: JSON.stringify(weather) }),
        ...(weather?.fog && { fog_visibility: weather.fog.visibility }),
        ...(weather?.rain && { rain_rate: weather.rain.rate }),
        ...(weather?.snow && { snow_rate: weather.snow.rate }),
      },
      data,
    };
  }

  private measureBoxes(world: World, pixels: PixelBuffers, parentId: number): ReturnType<BoxMeasure['measure']> {
    return this.boxMeasure.measure(pixels.instanceId, world, boxedObjects(world, parentId), this.views[this.bandCount - 1], this.raster, this.config.near, this.config.far, this.tiledAlone, this.tiledStats);
  }

  /**
   * The RGB image: one shading, or the mean of the motion-blur sub-frames (MotionBlur.ts), with
   * rain and snow drawn over it (Precipitation.ts), then the sensor and the tone curve.
   */
  private *image(world: World, pixels: PixelBuffers, seq: number, parentId: number): PoolWork<Uint8Array> {
    if (this.tiledImage) return this.tiledImage.rgb;
    const realistic = this.light.realistic;
    const first = this.shadePixels(world, pixels, seq, parentId);
    const blur = this.config.motionBlur, particles = this.precipitation();
    if (!blur && !particles) return realistic ? realistic.develop(first as Float32Array, seq) : (first as Uint8Array);
    let image = first;
    if (blur) {
      const mean = new SubFrameMean(first.length);
      mean.add(first);
      const placed = world.placedState, views = this.views.slice();
      const ignore = this.config.seeParent ? -1 : parentId;
      for (const dt of subFrameTimes(blur.samples, this.shutter()).slice(1)) {
        if (placed) world.update(stateAfter(placed, dt));
        for (let b = 0; b < this.bandCount; b++) {
          this.renderBand(world, cameraView(composePose(this.bandPose[b](dt), this.mount), this.light.sun), b, parentId);
        }
        // A sub-frame gives only its image: tiled, its buffers are not copied out of the render.
        mean.add(this.shadePixels(world, this.tiled ? yield* this.resolveTiled(world, ignore, undefined, undefined, false) : yield* this.resolve(world, ignore), seq, parentId));
      }
      // The world goes back to the step's state for the other sensors; the frame keeps the start's views.
      if (placed) world.update(placed);
      views.forEach((v, b) => (this.views[b] = v));
      image = realistic ? mean.linear() : mean.rgb8();
    }
    if (!realistic) return image as Uint8Array;
    const { width, height, fx, fy, cx, cy } = this.config;
    if (particles) {
      const target = {
        pinhole: { width, height, fx, fy, cx, cy }, linear: image as Float32Array, range: pixels.range, m: this.views[0].m,
        cameraVelocity: this.cameraVelocity, shutter: this.shutter(), illuminance: realistic.sky.horizontalIlluminance,
      };
      const { sets, env } = visibleParticles(target, particles, this.config.noise?.seed ?? seedOfName(this.config.name), seq);
      drawPrecipitation(target, sets, env);
    }
    if (!this.tiled) return realistic.develop(image as Float32Array, seq);
    this.tiledImage = yield* this.tiled.develop(image as Float32Array, { plan: realistic.plan, seq });
    return this.tiledImage.rgb;
  }

  /** Scene values (realistic: float32, 3 per pixel, the shader's own buffer) or RGB8 (palette) of one render. */
  private shadePixels(world: World, pixels: PixelBuffers, seq: number, parentId: number): Float32Array | Uint8Array {
    if (this.tiled) return this.shader ? this.tiledRgb! : this.tiledLinear!;
    const { width, height } = this.config;
    // One band: a rolling shutter is the rasteriser's (the tiles').
    const view = this.views[0], viewOfPixel = (): CameraView => view;
    const shadows = this.config.shadows ? { scene: world.scene, ignoreInstanceId: this.config.seeParent ? -1 : parentId } : undefined;
    if (this.shader) {
      return this.shader.shade(
        { width, height, rays: this.remap.sampledRays, range: pixels.range, classId: pixels.classId, sunCosine: pixels.sunCosine, viewOfPixel, materialId: pixels.materialId, lamps: world.litLamps },
        this.light.sun, this.light.fogDistance, shadows,
      );
    }
    return this.light.realistic!.shadeLinear({
      width, height, rays: this.remap.sampledRays, range: pixels.range, normal: pixels.normal, material: pixels.materialId,
      instance: pixels.instanceId, classId: pixels.classId, viewOfPixel, frame: seq, view, focal: this.remap.target.fx,
      appearanceOf: appearances(world), shadows, lamps: world.litLamps,
    });
  }

  /**
   * The shutter time (s): the sensor's (set or metered), else the time a meter at ISO 100, f/2
   * would pick (the exposure the realistic image has without `exposure:`), else the rig's.
   */
  private shutter(): number {
    const r = this.light.realistic;
    if (r) return r.settings?.shutter ?? meteredShutter(r.sky.horizontalIlluminance, 100, 2, this.config.exposureBias);
    return this.config.exposure!.shutter!;
  }

  /**
   * The rain and snow rates to draw: the weather's, for a realistic pinhole camera unless its
   * rig entry says `precipitation: false` (palette shading and fisheye draw none).
   */
  private precipitation(): { kind: ParticleKind; rate: number }[] | undefined {
    if (this.config.precipitation === false || !this.light.realistic || this.config.model === 'fisheye') return undefined;
    const out: { kind: ParticleKind; rate: number }[] = [];
    const rain = this.weather?.rain?.rate ?? 0, snow = this.weather?.snow?.rate ?? 0;
    if (rain > 0) out.push({ kind: 'rain', rate: rain });
    if (snow > 0) out.push({ kind: 'snow', rate: snow });
    return out.length > 0 ? out : undefined;
  }

  /**
   * Per camera pixel: depth, range (along `remap.sampledRays`), class, instance and sun cosine,
   * from the tiles' render or from rays. Tiled, the image is shaded too (`tiledLinear`, `tiledRgb`), and where
   * `boxesOf` names the parent, the seen actors' pixels drawn alone are counted (`tiledAlone`).
   */
  private *resolve(world: World, ignoreInstanceId: number, boxesOf?: number, seq?: number): PoolWork<PixelBuffers> {
    if (this.tiled) return yield* this.resolveTiled(world, ignoreInstanceId, boxesOf, seq);
    const { width, height, model, far } = this.config;
    const n = width * height;
    const depth = new Float32Array(n);
    const range = new Float32Array(n).fill(Infinity);
    const classId = new Uint8Array(n);
    const instanceId = new Uint32Array(n);
    const sunCosine = new Float32Array(n);
    const materialId = new Uint8Array(n);
    const normal = new Float32Array(n * 3);
    const rays = this.remap.rays;
    const fisheye = model === 'fisheye';
    const view = this.views[0];
    const m = view.m, c = view.position;
    const { origins, directions } = this.castBatch;
    let minZ = 1;
    for (let i = 0; i < n; i++) {
      const o = i * 3;
      const rx = rays[o], ry = rays[o + 1], rz = rays[o + 2];
      origins[o] = c[0]; origins[o + 1] = c[1]; origins[o + 2] = c[2];
      directions[o] = m[0] * rx + m[3] * ry + m[6] * rz;
      directions[o + 1] = m[1] * rx + m[4] * ry + m[7] * rz;
      directions[o + 2] = m[2] * rx + m[5] * ry + m[8] * rz;
      minZ = Math.min(minZ, rz);
    }
    // Pinhole depth is limited along the axis, so rays run as far as `far` on the axis needs.
    this.castBatch.tMax = fisheye ? far : far / Math.max(minZ, 1e-3);
    world.scene.cast(this.castBatch, this.castHits, { first: 0, end: n, ignoreInstanceId });
    const h = this.castHits;
    const sun = this.light.sun;
    for (let i = 0; i < n; i++) {
      const t = h.distance[i];
      if (t === Infinity) continue;
      const z = t * rays[i * 3 + 2];
      if (!fisheye && z > far) continue;
      range[i] = t;
      depth[i] = fisheye ? t : z;
      classId[i] = h.classId[i];
      instanceId[i] = h.instanceId[i] === MISS ? 0 : h.instanceId[i];
      sunCosine[i] = h.normal[i * 3] * sun[0] + h.normal[i * 3 + 1] * sun[1] + h.normal[i * 3 + 2] * sun[2];
      materialId[i] = h.materialId[i];
      normal[i * 3] = h.normal[i * 3]; normal[i * 3 + 1] = h.normal[i * 3 + 1]; normal[i * 3 + 2] = h.normal[i * 3 + 2];
    }
    return { depth, range, classId, instanceId, sunCosine, materialId, normal };
  }

  /**
   * The tiles' render. With `seq` (the frame's own render, not a motion-blur sub-frame) and
   * nothing to draw over the image (no blur, no rain or snow), the tiles develop it too.
   * `copy` false (a sub-frame, which gives only its image): the render's buffers, not copies.
   */
  private *resolveTiled(world: World, ignoreInstanceId: number, boxesOf: number | undefined, seq: number | undefined, copy = true): PoolWork<PixelBuffers> {
    const light = this.light, realistic = light.realistic;
    const actors = boxesOf === undefined ? [] : boxedObjects(world, boxesOf);
    const developed = seq !== undefined && realistic && this.config.outputs.includes('rgb') && !this.config.motionBlur && !this.precipitation();
    this.tiledStats = undefined;
    let drawn: Pick<PixelBuffers, 'depth' | 'range' | 'classId' | 'instanceId'> | undefined;
    const p = yield* this.tiled!.render(world, this.views, {
      skip: ignoreInstanceId,
      shadows: this.config.shadows,
      light: { key: JSON.stringify([light.sun, light.fogDistance]), sun: light.sun, turbidity: this.config.turbidity, fogDistance: light.fogDistance },
      appearances: appearances(world),
      lamps: world.litLamps,
      develop: developed ? { plan: realistic.plan, seq } : undefined,
      boxes: boxesOf !== undefined,
      measured: (instance, stats) => {
        this.tiledStats = stats;
        return this.boxMeasure.seen(instance, actors, stats).map((s) => world.partsOf(s[0]));
      },
      gpuRaster: this.gpu && ((into) => this.gpu!.visibility.raster(world, this.views, this.bandStart, this.gpu!.parts, into, this.cornerSamples)),
      // Copies (the shared arrays are the next render's), taken while the workers shade.
      drawn: copy ? (d) => (drawn = { depth: d.depth.slice(), range: d.range.slice(), classId: d.classId.slice(), instanceId: d.instanceId.slice() }) : undefined,
    });
    this.tiledImage = developed ? { rgb: p.rgb.slice(), raw: realistic.noise ? p.raw.slice() : undefined } : undefined;
    this.tiledLinear = p.linear;
    // A copy: the image may be the frame's own (palette, no motion blur).
    this.tiledRgb = this.shader ? p.rgb.slice() : undefined;
    this.tiledAlone = boxesOf === undefined ? undefined : p.alone.slice();
    return drawn ? { ...drawn, sunCosine: p.sunCosine, materialId: p.materialId, normal: p.normal } : p;
  }
}

/** Each placed actor's appearance, indexed by instance id. */
function appearances(world: World): (Appearance | undefined)[] {
  const out: (Appearance | undefined)[] = [];
  for (const a of world.placedState?.actors ?? []) if (a.appearance) out[a.instanceId] = a.appearance;
  return out;
}
