import type { Appearance } from '../../core/materials.js';
import type { RaycastScene } from '../../raycast/RaycastScene.js';
import { ambientOcclusion } from './AmbientOcclusion.js';
import type { CameraView } from './CameraView.js';
import { Sky } from './Sky.js';
import { SampleBuffers, SurfaceShader } from './SurfaceShading.js';
import type { ExposureConfig } from '../CameraConfig.js';
import { develop, type DevelopPlan } from './Develop.js';
import { meteredShutter, type ExposureSettings } from './Exposure.js';
import { SensorNoise, type NoiseConfig } from './SensorNoise.js';
import { exposureScale } from './ToneMapping.js';
import type { LitLamps } from '../../world/roadside/SignalLamps.js';

/** What the realistic shader needs of each camera pixel (centre samples). */
export interface RealisticInput {
  width: number;
  height: number;
  /** Unit ray per pixel (optical frame) on which the surface point lies. */
  rays: Float32Array;
  /** Distance along the ray (m), Infinity for sky. */
  range: Float32Array;
  /** World unit normal facing the camera, 3 per pixel. */
  normal: Float32Array;
  material: Uint8Array;
  instance: Uint32Array;
  classId: Uint8Array;
  viewOfPixel: (i: number) => CameraView;
  /** The frame's sequence number: the sensor noise's counter (absent: 0). */
  frame?: number;
  /** The view of every pixel when there is only one (no rolling shutter): no call per pixel. */
  view?: CameraView;
  /** Focal length in pixels (for the occlusion radius on screen). */
  focal: number;
  appearanceOf: readonly (Appearance | undefined)[];
  shadows: { scene: RaycastScene; ignoreInstanceId: number } | undefined;
  /** The signal lamps lit (World.litLamps); absent: none. */
  lamps?: LitLamps;
}

/**
 * The camera's realistic RGB: physically based shading in linear light under a Preetham sky,
 * exposed, tone-mapped (ACES fitted) and sRGB-encoded. A rasterising camera shades in tiles
 * (CameraTiles.ts, anti-aliased with corner samples) with the same surface shader and develops
 * here; the 'rays' reference shades here in one pass.
 */
export class RealisticShader {
  readonly sky: Sky;
  readonly exposure: number;
  /** The sensor's shutter, ISO and f-number when set or noise needs them (metered shutter resolved). */
  readonly settings: ExposureSettings | undefined;
  /** Sensor noise, when configured; its `raw` holds the last frame's digital values. */
  readonly noise: SensorNoise | undefined;
  /**
   * The one-pass shading's full-image buffers (AO reads neighbours by pixel), made when it
   * first shades: a rasterising camera shades in its tiles and only develops here.
   */
  private readonly pixels: number;
  private onePass: { surface: SurfaceShader; centres: SampleBuffers; linear: Float32Array; pos: Float32Array; ao: Float32Array } | undefined;

  constructor(
    pixels: number, sun: readonly number[], turbidity: number, exposureBias: number, readonly fogDistance: number,
    sensor: { exposure?: ExposureConfig; noise?: NoiseConfig } = {},
  ) {
    this.sky = new Sky(turbidity, sun);
    this.exposure = exposureScale(this.sky.horizontalIlluminance, exposureBias);
    const e = sensor.exposure;
    // Auto-exposure without noise keeps the metered scale straight onto the curve (today's images, byte for byte).
    if (e && (e.shutter !== undefined || sensor.noise)) {
      const shutter = e.shutter ?? meteredShutter(this.sky.horizontalIlluminance, e.iso, e.fNumber, exposureBias);
      this.settings = { shutter, iso: e.iso, fNumber: e.fNumber };
    }
    if (sensor.noise && this.settings) this.noise = new SensorNoise(sensor.noise, this.settings, pixels * 3);
    this.pixels = pixels;
  }

  /** Shadow rays of the last one-pass frame. */
  get shadowRays(): number {
    return this.onePass?.surface.shadowRays ?? 0;
  }

  shade(input: RealisticInput): Uint8Array {
    return this.develop(this.shadeLinear(input), input.frame ?? 0);
  }

  /**
   * The scene values (kcd/m², 3 per pixel, linear light) of the image, before the sensor: what
   * motion blur averages over sub-frames and rain and snow are drawn into. The array is the
   * shader's own, overwritten by the next call.
   */
  shadeLinear(input: RealisticInput): Float32Array {
    const { width, height, rays, range, normal } = input;
    const n = width * height;
    const n1 = this.pixels;
    const b = (this.onePass ??= { surface: new SurfaceShader(this.sky, n1), centres: new SampleBuffers(n1), linear: new Float32Array(n1 * 3), pos: new Float32Array(n1 * 3), ao: new Float32Array(n1) });
    const c = b.centres, linear = b.linear, pos = b.pos, view = c.view, surface = b.surface;
    // The image's pixels are the centre samples: their buffers are used in place.
    c.range = range; c.normal = normal; c.material = input.material; c.instance = input.instance; c.pos = pos; c.ao = b.ao;
    c.count = n;
    const one = input.view;
    // The view's numbers in locals, reloaded only when the pixel's view changes (a new band).
    let last: CameraView | undefined;
    let m0 = 0, m1 = 0, m2 = 0, m3 = 0, m4 = 0, m5 = 0, m6 = 0, m7 = 0, m8 = 0, cx = 0, cy = 0, cz = 0;
    for (let i = 0; i < n; i++) {
      const v = one ?? input.viewOfPixel(i);
      if (v !== last) {
        last = v;
        const m = v.m;
        m0 = m[0]; m1 = m[1]; m2 = m[2]; m3 = m[3]; m4 = m[4]; m5 = m[5]; m6 = m[6]; m7 = m[7]; m8 = m[8];
        cx = v.position[0]; cy = v.position[1]; cz = v.position[2];
      }
      const o = i * 3;
      const rx = rays[o], ry = rays[o + 1], rz = rays[o + 2];
      const dx = m0 * rx + m3 * ry + m6 * rz;
      const dy = m1 * rx + m4 * ry + m7 * rz;
      const dz = m2 * rx + m5 * ry + m8 * rz;
      const t = range[i];
      if (t === Infinity) {
        surface.skyRadiance(dx, dy, dz, linear, o);
        continue;
      }
      pos[o] = cx + t * dx; pos[o + 1] = cy + t * dy; pos[o + 2] = cz + t * dz;
      view[o] = -dx; view[o + 1] = -dy; view[o + 2] = -dz;
    }
    ambientOcclusion(width, height, pos, normal, range, input.focal, b.ao);
    surface.castShadowsImage(c, width, input.shadows?.scene, input.shadows?.ignoreInstanceId ?? -1);
    surface.lamps = input.lamps;
    surface.shade(c, input.appearanceOf, this.fogDistance, input.focal, linear);
    return linear;
  }

  /** How this shader develops (what a camera's tiles need to develop their rows as `develop` does). */
  get plan(): DevelopPlan {
    return { exposure: this.exposure, settings: this.settings, noise: this.noise?.config };
  }

  /** Scene values to RGB8: the sensor (exposure, noise into `noise.raw`) and the tone curve. */
  develop(linear: Float32Array, frame: number): Uint8Array {
    const rgb = new Uint8Array(linear.length);
    develop(linear, frame, this.plan, this.noise, { rgb, raw: this.noise?.raw });
    return rgb;
  }
}
