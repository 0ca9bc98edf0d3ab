import { SEMANTIC_CLASSES } from '../../core/semantic.js';
import { createHitBuffer, type HitBuffer, type RaycastScene, type RayBatch } from '../../raycast/RaycastScene.js';
import { onLitLamp, type LitLamps } from '../../world/roadside/SignalLamps.js';
import { IS_LAMP, LAMP_PALETTE } from './LampEmission.js';

/** Share of light from the sky (ambient) and from the sun (times the cosine of incidence). */
const AMBIENT = 0.4;
const SUN = 0.7;
const HORIZON: [number, number, number] = [198, 216, 235];
const ZENITH: [number, number, number] = [84, 136, 204];

/** Albedo per class id (0..1): the Cityscapes colour of the class, grey for unknown ids. */
const ALBEDO = (() => {
  const table = new Float32Array(256 * 3).fill(0.5);
  for (const c of SEMANTIC_CLASSES) table.set(c.color.map((x) => x / 255), c.id * 3);
  return table;
})();

/** What the shader needs of each camera pixel. */
export interface ShadingInput {
  width: number;
  height: number;
  /** Unit ray per pixel, optical frame. */
  rays: Float32Array;
  /** Distance along the ray (m), Infinity for sky. */
  range: Float32Array;
  classId: Uint8Array;
  /** Cosine between the surface normal (facing the camera) and the sun direction. */
  sunCosine: Float32Array;
  /** Which view (camera pose) each pixel was seen from: rows m (optical from world) and centre. */
  viewOfPixel: (i: number) => { m: Float64Array; position: readonly number[] };
  /** Material per pixel and the signal lamps lit (World.litLamps): a lit lens shows its lamp's colour. Absent: none lit. */
  materialId?: Uint8Array;
  lamps?: LitLamps;
}

/**
 * RGB8 from the visibility buffers: the class colour lit by a sky ambient term and the sun
 * (Lambert), the sun blocked where a shadow ray from the surface toward the sun hits anything
 * (all shadow rays of a frame are cast in one batch, only for visible pixels facing the sun),
 * exponential distance fog toward the horizon colour, and a sky gradient where nothing is hit.
 */
/** Casts the first `count` rays of a batch into `hits` (distances at least): the scene's cast, or a tile thread's own. */
export type ShadowCast = (batch: RayBatch, hits: HitBuffer, count: number) => void;

export class Shader {
  private batch: RayBatch;
  private hits: HitBuffer;
  private pixelOfRay: Uint32Array;
  private lit: Float32Array;
  /** Rays cast for shadows in the last frame (or range of pixels). */
  shadowRays = 0;

  /** For up to `pixels` pixels at a time. */
  constructor(pixels: number) {
    this.batch = { origins: new Float32Array(pixels * 3), directions: new Float32Array(pixels * 3), count: 0, tMin: 1e-3, tMax: 2000 };
    this.hits = createHitBuffer(pixels);
    this.pixelOfRay = new Uint32Array(pixels);
    this.lit = new Float32Array(pixels);
  }

  shade(input: ShadingInput, sun: readonly number[], fogDistance: number, shadows: { scene: RaycastScene; ignoreInstanceId: number } | undefined): Uint8Array {
    const n = input.width * input.height;
    const rgb = new Uint8Array(n * 3);
    const cast: ShadowCast | undefined = shadows && ((batch, hits, count) => shadows.scene.cast(batch, hits, { first: 0, end: count, ignoreInstanceId: shadows.ignoreInstanceId }));
    this.shadeRange(input, sun, fogDistance, cast, 0, n, rgb);
    return rgb;
  }

  /**
   * Pixels [i0, i1) into `rgb` (3 per pixel, at the pixel's own place): each pixel's colour
   * depends on that pixel alone (and its shadow ray), so any split into ranges gives the same bytes.
   */
  shadeRange(input: ShadingInput, sun: readonly number[], fogDistance: number, cast: ShadowCast | undefined, i0: number, i1: number, rgb: Uint8Array): void {
    const { rays, range, classId, sunCosine } = input;
    const lit = this.lit;
    for (let i = i0; i < i1; i++) lit[i - i0] = sunCosine[i] > 0 && range[i] !== Infinity ? sunCosine[i] : 0;
    this.shadowRays = 0;
    if (cast) this.castShadows(input, lit, sun, cast, i0, i1);
    const fogScale = Number.isFinite(fogDistance) ? 1 / fogDistance : 0;
    const materials = input.materialId, lamps = input.lamps && input.lamps.length > 0 && materials ? input.lamps : undefined;
    for (let i = i0; i < i1; i++) {
      const o = i * 3;
      const r = range[i];
      if (r === Infinity) {
        const m = input.viewOfPixel(i).m;
        // World up component of the ray: the third world coordinate of M^T ray.
        const up = m[2] * rays[o] + m[5] * rays[o + 1] + m[8] * rays[o + 2];
        const f = Math.sqrt(Math.max(0, Math.min(1, up)));
        rgb[o] = HORIZON[0] + (ZENITH[0] - HORIZON[0]) * f;
        rgb[o + 1] = HORIZON[1] + (ZENITH[1] - HORIZON[1]) * f;
        rgb[o + 2] = HORIZON[2] + (ZENITH[2] - HORIZON[2]) * f;
        continue;
      }
      const fog = Math.exp(-r * fogScale);
      if (lamps && IS_LAMP[materials![i]] === 1 && this.onLamp(input, lamps, i)) {
        const c = materials![i] * 3;
        rgb[o] = LAMP_PALETTE[c] * fog + HORIZON[0] * (1 - fog);
        rgb[o + 1] = LAMP_PALETTE[c + 1] * fog + HORIZON[1] * (1 - fog);
        rgb[o + 2] = LAMP_PALETTE[c + 2] * fog + HORIZON[2] * (1 - fog);
        continue;
      }
      const light = AMBIENT + SUN * lit[i - i0];
      const a = classId[i] * 3;
      rgb[o] = Math.min(255, 255 * ALBEDO[a] * light) * fog + HORIZON[0] * (1 - fog);
      rgb[o + 1] = Math.min(255, 255 * ALBEDO[a + 1] * light) * fog + HORIZON[1] * (1 - fog);
      rgb[o + 2] = Math.min(255, 255 * ALBEDO[a + 2] * light) * fog + HORIZON[2] * (1 - fog);
    }
  }

  /** Whether pixel i's surface point lies on a lit lens. */
  private onLamp(input: ShadingInput, lamps: LitLamps, i: number): boolean {
    const { m, position: c } = input.viewOfPixel(i);
    const o = i * 3, t = input.range[i], rx = input.rays[o], ry = input.rays[o + 1], rz = input.rays[o + 2];
    return onLitLamp(lamps, c[0] + t * (m[0] * rx + m[3] * ry + m[6] * rz), c[1] + t * (m[1] * rx + m[4] * ry + m[7] * rz), c[2] + t * (m[2] * rx + m[5] * ry + m[8] * rz));
  }

  /** One batch of rays toward the sun from every lit pixel of [i0, i1); a hit puts the pixel in shadow. */
  private castShadows(input: ShadingInput, lit: Float32Array, sun: readonly number[], cast: ShadowCast, i0: number, i1: number): void {
    const { rays, range } = input;
    const { origins, directions } = this.batch;
    let count = 0;
    for (let i = i0; i < i1; i++) {
      if (lit[i - i0] <= 0) continue;
      const view = input.viewOfPixel(i);
      const m = view.m, c = view.position;
      const o = i * 3;
      // Pulled back toward the camera (off the surface, on its lit side) before leaving for the sun.
      const t = range[i] * (1 - 1e-4) - 2e-3;
      const rx = rays[o], ry = rays[o + 1], rz = rays[o + 2];
      const k = count * 3;
      origins[k] = c[0] + t * (m[0] * rx + m[3] * ry + m[6] * rz);
      origins[k + 1] = c[1] + t * (m[1] * rx + m[4] * ry + m[7] * rz);
      origins[k + 2] = c[2] + t * (m[2] * rx + m[5] * ry + m[8] * rz);
      directions[k] = sun[0];
      directions[k + 1] = sun[1];
      directions[k + 2] = sun[2];
      this.pixelOfRay[count++] = i - i0;
    }
    this.batch.count = count;
    this.shadowRays = count;
    if (count === 0) return;
    cast(this.batch, this.hits, count);
    const distance = this.hits.distance;
    for (let r = 0; r < count; r++) if (distance[r] !== Infinity) lit[this.pixelOfRay[r]] = 0;
  }
}
