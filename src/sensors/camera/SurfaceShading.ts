import { MATERIALS, surfaceAlbedo, type Appearance } from '../../core/materials.js';
import { createHitBuffer, type HitBuffer, type RaycastScene, type RayBatch } from '../../raycast/RaycastScene.js';
import { environmentBrdf, GGX, ggxSpecularIn } from './Brdf.js';
import { DIRECTION, type Sky } from './Sky.js';
import { applyTextureAt, TEXTURE_AT, TEXTURE_BY_MATERIAL, type SurfaceSample } from './Textures.js';
import { SRGB_TO_LINEAR } from './ToneMapping.js';
import { onLitLamp, type LitLamps } from '../../world/roadside/SignalLamps.js';
import { IS_LAMP, LAMP_RADIANCE } from './LampEmission.js';

/**
 * Surface samples to shade: world points seen by the camera, each with what lights it. The
 * arrays hold `capacity` samples; a pass uses the first `count`, skipping those of infinite
 * range (sky, when the samples are an image's pixels).
 */
export class SampleBuffers {
  count = 0;
  /** World position, unit normal facing the camera, unit direction toward the camera: 3 per sample. */
  pos: Float32Array;
  normal: Float32Array;
  view: Float32Array;
  /** Distance from the camera (m), for fog; Infinity: not a surface. */
  range: Float32Array;
  material: Uint8Array;
  instance: Uint32Array;
  /** Share of the sun that reaches the point (0 in shadow). */
  visibility: Float32Array;
  /** Ambient occlusion of the sky light (1: open). */
  ao: Float32Array;

  /** Own arrays for `capacity` samples; an image's shader then points some at its per-pixel buffers (no copies). */
  constructor(readonly capacity: number) {
    this.pos = new Float32Array(capacity * 3);
    this.normal = new Float32Array(capacity * 3);
    this.view = new Float32Array(capacity * 3);
    this.range = new Float32Array(capacity);
    this.material = new Uint8Array(capacity);
    this.instance = new Uint32Array(capacity);
    this.visibility = new Float32Array(capacity);
    this.ao = new Float32Array(capacity);
  }
}

/** Per material: linear albedo (3), roughness, metalness, specular F0 of a dielectric. */
const PROPS = (() => {
  const t = new Float32Array(256 * 6);
  for (let id = 0; id < 256; id++) t.set([SRGB_TO_LINEAR[128], SRGB_TO_LINEAR[128], SRGB_TO_LINEAR[128], 0.8, 0, 0.04], id * 6);
  for (const m of MATERIALS) t.set([SRGB_TO_LINEAR[m.albedo[0]], SRGB_TO_LINEAR[m.albedo[1]], SRGB_TO_LINEAR[m.albedo[2]], m.roughness, m.metalness, m.specular], m.id * 6);
  return t;
})();

/** Materials whose colour an actor's appearance may set (paint, clothing, skin, hair). */
const PER_ACTOR = (() => {
  const t = new Uint8Array(256);
  for (const m of MATERIALS) if (['car_paint', 'clothing', 'clothing_lower', 'skin', 'hair'].includes(m.name)) t[m.id] = 1;
  return t;
})();

/** Roughness above which reflections of the sky are taken as its irradiance (blurred to nothing). */
const ROUGH_REFLECTION = 0.7;

/**
 * Linear-light shading of surface samples (kcd/m², linear sRGB): material albedo (or the
 * actor's own colour), procedural texture, the sun through a Cook–Torrance GGX BRDF with
 * shadow visibility, the sky's irradiance on the normal with ambient occlusion, the sky's
 * reflection weighted by the pre-integrated GGX lobe, and fog toward the horizon's radiance.
 */
export class SurfaceShader {
  private readonly batch: RayBatch;
  private readonly hits: HitBuffer;
  private readonly rayOf: Uint32Array;
  private readonly s: SurfaceSample = { r: 0, g: 0, b: 0, roughness: 0, metalness: 0, specular: 0 };
  private readonly scratch = new Float32Array(6);
  private readonly env = new Float32Array(2);
  /** Shadow rays cast by the last `castShadows`. */
  shadowRays = 0;
  /** The signal lamps lit in the frame being shaded (World.litLamps): a sample on one of their lenses adds the lamp's light. */
  lamps: LitLamps | undefined;

  constructor(readonly sky: Sky, capacity: number) {
    this.batch = { origins: new Float32Array(capacity * 3), directions: new Float32Array(capacity * 3), count: 0, tMin: 1e-3, tMax: 2000 };
    this.hits = createHitBuffer(capacity);
    this.rayOf = new Uint32Array(capacity);
  }

  /**
   * Sun visibility of every sample facing the sun: one batch of rays toward it from points
   * pulled back toward the camera (off the surface, on its seen side); a hit means shadow.
   * Without a scene every sample facing the sun is lit.
   */
  castShadows(b: SampleBuffers, scene: RaycastScene | undefined, ignoreInstanceId: number): void {
    const sun = this.sky.sun;
    let count = 0;
    for (let j = 0; j < b.count; j++) {
      const o = j * 3;
      const nl = b.normal[o] * sun[0] + b.normal[o + 1] * sun[1] + b.normal[o + 2] * sun[2];
      b.visibility[j] = nl > 0 && sun[2] > 0 && b.range[j] !== Infinity ? 1 : 0;
      if (!scene || b.visibility[j] === 0) continue;
      count = this.addShadowRay(b, j, count);
    }
    this.shadowRays = count;
    this.batch.count = count;
    if (count === 0 || !scene) return;
    scene.cast(this.batch, this.hits, { first: 0, end: count, ignoreInstanceId });
    const distance = this.hits.distance;
    for (let r = 0; r < count; r++) if (distance[r] !== Infinity) b.visibility[this.rayOf[r]] = 0;
  }

  /**
   * Sun visibility of an image's pixels (samples in row-major order, `width` a row), with a
   * fraction of the rays: shadows are mostly wide and flat surfaces mostly large, so rays are
   * cast first at every other pixel of every other row, and a pixel between such anchors takes
   * their visibility where they all agree and lie on its own surface (same object, material and
   * normal); the others, along shadow edges and surface borders, cast their own ray. Only a
   * shadow finer than two pixels, wholly between agreeing anchors, can be missed.
   */
  castShadowsImage(b: SampleBuffers, width: number, scene: RaycastScene | undefined, ignoreInstanceId: number): void {
    const n = b.count;
    const height = Math.ceil(n / width);
    this.initVisibility(b, 0, n);
    this.shadowRays = 0;
    if (!scene) return;
    let count = 0;
    const add = (j: number): void => {
      count = this.addShadowRay(b, j, count);
    };
    this.anchorRays(b, width, 0, height, add);
    this.castBatch(scene, count, ignoreInstanceId, b.visibility);
    let total = count;
    count = 0;
    this.otherRays(b, width, 0, height, add);
    this.castBatch(scene, count, ignoreInstanceId, b.visibility);
    total += count;
    this.shadowRays = total;
  }

  /** Samples [first, end): 1 where the surface faces the sun above the horizon, else 0 (before any ray). */
  initVisibility(b: SampleBuffers, first: number, end: number): void {
    const vis = b.visibility;
    const sun = this.sky.sun;
    const normal = b.normal, range = b.range;
    for (let j = first; j < end; j++) {
      const o = j * 3;
      const nl = normal[o] * sun[0] + normal[o + 1] * sun[1] + normal[o + 2] * sun[2];
      vis[j] = nl > 0 && sun[2] > 0 && range[j] !== Infinity ? 1 : 0;
    }
  }

  /**
   * The anchors of rows [v0, v1) (even columns of even rows) that face the sun: each is handed
   * to `ray` (whose hit, cast later, puts it in shadow).
   */
  anchorRays(b: SampleBuffers, width: number, v0: number, v1: number, ray: (j: number) => void): void {
    const n = b.count, vis = b.visibility;
    for (let v = v0 + (v0 & 1); v < v1; v += 2) {
      for (let u = 0; u < width; u += 2) {
        const j = v * width + u;
        if (j < n && vis[j] === 1) ray(j);
      }
    }
  }

  /**
   * The other pixels of rows [v0, v1), once the anchors' visibility is known (in every row, as
   * a pixel reads the rows above and below): each takes its anchors' visibility where they
   * agree, or is handed to `ray`.
   */
  otherRays(b: SampleBuffers, width: number, v0: number, v1: number, ray: (j: number) => void): void {
    const n = b.count, vis = b.visibility;
    const height = Math.ceil(n / width);
    for (let v = v0; v < v1; v++) {
      const oddV = v & 1;
      // Rows of anchors hold a non-anchor at every odd column; the rows between, at every column.
      for (let u = 1 - oddV; u < width; u += 2 - oddV) {
        const j = v * width + u;
        if (j >= n || vis[j] !== 1) continue;
        const oddU = u & 1;
        // The anchors around: left and right, above and below, or the four diagonals.
        let agreed = -1;
        if (u - oddU >= 0 && u + oddU < width && v - oddV >= 0 && v + oddV < height) {
          const step = oddV * width + oddU;
          agreed = this.anchor(b, j, j - step, -1);
          if (agreed >= 0) agreed = this.anchor(b, j, j + step, agreed);
          if (agreed >= 0 && oddU === 1 && oddV === 1) {
            agreed = this.anchor(b, j, j - width + 1, agreed);
            if (agreed >= 0) agreed = this.anchor(b, j, j + width - 1, agreed);
          }
        }
        if (agreed >= 0) vis[j] = agreed;
        else ray(j);
      }
    }
  }

  /**
   * The visibility of anchor pixel q when it lies on pixel j's surface and agrees with `so`
   * (the anchors' visibility so far, -1 for none yet); -1 otherwise.
   */
  private anchor(b: SampleBuffers, j: number, q: number, so: number): number {
    if (q >= b.count || b.range[q] === Infinity) return -1;
    if (b.instance[q] !== b.instance[j] || b.material[q] !== b.material[j]) return -1;
    const n = b.normal, o = j * 3, p = q * 3;
    if (n[o] !== n[p] || n[o + 1] !== n[p + 1] || n[o + 2] !== n[p + 2]) return -1;
    // A same-surface anchor facing the sun was cast (visibility 0 or 1 now), as j faces it too.
    const w = b.visibility[q];
    return so === -1 || so === w ? w : -1;
  }

  /** Appends sample j's ray toward the sun (from a point pulled back toward the camera) to the batch. */
  private addShadowRay(b: SampleBuffers, j: number, count: number): number {
    const sun = this.sky.sun;
    const { origins, directions } = this.batch;
    const o = j * 3;
    const back = b.range[j] * 1e-4 + 2e-3;
    const k = count * 3;
    origins[k] = b.pos[o] + b.view[o] * back;
    origins[k + 1] = b.pos[o + 1] + b.view[o + 1] * back;
    origins[k + 2] = b.pos[o + 2] + b.view[o + 2] * back;
    directions[k] = sun[0]; directions[k + 1] = sun[1]; directions[k + 2] = sun[2];
    this.rayOf[count] = j;
    return count + 1;
  }

  /** Casts the first `count` rays of the batch; a hit puts its sample in shadow. */
  private castBatch(scene: RaycastScene, count: number, ignoreInstanceId: number, vis: Float32Array): void {
    if (count === 0) return;
    this.batch.count = count;
    scene.cast(this.batch, this.hits, { first: 0, end: count, ignoreInstanceId });
    const distance = this.hits.distance;
    for (let r = 0; r < count; r++) if (distance[r] !== Infinity) vis[this.rayOf[r]] = 0;
  }

  /**
   * Shades samples [0, b.count) into out (3 per sample, linear). `focal` (pixels per unit of
   * image plane) sizes each sample's pixel on its surface, for the textures' level of detail.
   */
  shade(
    b: SampleBuffers, appearanceOf: readonly (Appearance | undefined)[], fogDistance: number, focal: number, out: Float32Array,
    first = 0, end = b.count,
  ): void {
    const sky = this.sky;
    const sun = sky.sun, sx = sun[0], sy = sun[1], sz = sun[2];
    const es = sky.sunIlluminance, esr = es[0], esg = es[1], esb = es[2];
    const s = this.s, e = this.scratch, env = this.env, at = TEXTURE_AT;
    const fogScale = Number.isFinite(fogDistance) ? 1 / fogDistance : 0;
    const horizon = sky.horizonRadiance;
    const range = b.range, material = b.material, instance = b.instance, pos = b.pos, normal = b.normal, view = b.view;
    const visibility = b.visibility, occlusion = b.ao, lamps = this.lamps;
    const invFocal = 1 / focal;
    // Neighbouring samples mostly lie on the same flat face: the sky's irradiance of the last normal is reused.
    let lnx = NaN, lny = NaN, lnz = NaN, er = 0, eg = 0, eb = 0;
    for (let j = first; j < end; j++) {
      const range_j = range[j];
      if (range_j === Infinity) continue;
      const o = j * 3;
      const mat = material[j];
      const p = mat * 6;
      s.r = PROPS[p]; s.g = PROPS[p + 1]; s.b = PROPS[p + 2];
      s.roughness = PROPS[p + 3]; s.metalness = PROPS[p + 4]; s.specular = PROPS[p + 5];
      const inst = instance[j];
      if (inst !== 0 && PER_ACTOR[mat] === 1) {
        const app = appearanceOf[inst];
        if (app) {
          const c = surfaceAlbedo(mat, app);
          s.r = SRGB_TO_LINEAR[c[0] & 255]; s.g = SRGB_TO_LINEAR[c[1] & 255]; s.b = SRGB_TO_LINEAR[c[2] & 255];
        }
      }
      const nx = normal[o], ny = normal[o + 1], nz = normal[o + 2];
      const vx = view[o], vy = view[o + 1], vz = view[o + 2];
      let nv = nx * vx + ny * vy + nz * vz;
      if (nv < 1e-4) nv = 1e-4;
      const tex = TEXTURE_BY_MATERIAL[mat];
      // The pixel's footprint: its side at this range, stretched by the slant (the side of an area of (r/f)² / (n·v)).
      if (tex !== 0) {
        at[0] = pos[o]; at[1] = pos[o + 1]; at[2] = pos[o + 2]; at[3] = nx; at[4] = ny; at[5] = nz; at[6] = (range_j * invFocal) / Math.sqrt(nv);
        applyTextureAt(tex, at, s);
      }
      const metal = s.metalness, roughness = s.roughness;
      // F0: the dielectric's reflectance, or the metal's own colour.
      const f0r = s.specular + (s.r - s.specular) * metal, f0g = s.specular + (s.g - s.specular) * metal, f0b = s.specular + (s.b - s.specular) * metal;
      const kd = (1 - metal) * INV_PI;
      const dr = s.r * kd, dg = s.g * kd, db = s.b * kd;
      let lr = 0, lg = 0, lb = 0;
      // The sun.
      const vis = visibility[j];
      if (vis > 0) {
        const nl = nx * sx + ny * sy + nz * sz;
        const g = GGX;
        g[0] = nx; g[1] = ny; g[2] = nz; g[3] = vx; g[4] = vy; g[5] = vz; g[6] = sx; g[7] = sy; g[8] = sz; g[9] = roughness;
        ggxSpecularIn(g);
        const spec = g[10], w = g[11];
        const k = nl * vis;
        lr += (dr * (1 - w) + spec * (f0r + (1 - f0r) * w)) * esr * k;
        lg += (dg * (1 - w) + spec * (f0g + (1 - f0g) * w)) * esg * k;
        lb += (db * (1 - w) + spec * (f0b + (1 - f0b) * w)) * esb * k;
      }
      // The sky: diffuse irradiance, occluded.
      if (nx !== lnx || ny !== lny || nz !== lnz) {
        sky.irradiance(nx, ny, nz, e, 0);
        er = e[0]; eg = e[1]; eb = e[2];
        lnx = nx; lny = ny; lnz = nz;
      }
      const ao = occlusion[j];
      lr += dr * er * ao; lg += dg * eg * ao; lb += db * eb * ao;
      // The sky's reflection about the normal, through the pre-integrated GGX lobe.
      let rr: number, rg: number, rb: number;
      if (roughness < ROUGH_REFLECTION) {
        const r = DIRECTION;
        r[0] = 2 * nv * nx - vx; r[1] = 2 * nv * ny - vy; r[2] = 2 * nv * nz - vz;
        sky.lookupAt(r, e, 3);
        // Rougher surfaces see a blurrier sky: toward its irradiance seen along the normal.
        const blur = roughness / ROUGH_REFLECTION;
        rr = e[3] + (er * INV_PI - e[3]) * blur; rg = e[4] + (eg * INV_PI - e[4]) * blur; rb = e[5] + (eb * INV_PI - e[5]) * blur;
        environmentBrdf(nv, roughness, env);
        lr += (f0r * env[0] + env[1]) * rr * ao;
        lg += (f0g * env[0] + env[1]) * rg * ao;
        lb += (f0b * env[0] + env[1]) * rb * ao;
      } else {
        // Rough surfaces: the pre-integrated lobe is close to F0 (its bias is < 0.02 there) on the sky's irradiance.
        lr += f0r * er * INV_PI * ao; lg += f0g * eg * INV_PI * ao; lb += f0b * eb * INV_PI * ao;
      }
      // A lit signal lens: its own light on top of what it reflects (LampEmission.ts).
      if (IS_LAMP[mat] === 1 && lamps !== undefined && onLitLamp(lamps, pos[o], pos[o + 1], pos[o + 2])) {
        lr += LAMP_RADIANCE[mat * 3]; lg += LAMP_RADIANCE[mat * 3 + 1]; lb += LAMP_RADIANCE[mat * 3 + 2];
      }
      const f = fogScale === 0 ? 1 : Math.exp(-range_j * fogScale);
      out[o] = lr * f + horizon[0] * (1 - f);
      out[o + 1] = lg * f + horizon[1] * (1 - f);
      out[o + 2] = lb * f + horizon[2] * (1 - f);
    }
  }

  /** Radiance of the sky toward a world direction, with the sun's disk; into out[o..o+2]. */
  skyRadiance(dx: number, dy: number, dz: number, out: Float32Array, o: number): void {
    const sky = this.sky;
    sky.lookup(dx, dy, dz < 0.002 ? 0.002 : dz, out, o);
    const sun = sky.sun;
    if (dx * sun[0] + dy * sun[1] + dz * sun[2] > SUN_COS) {
      out[o] += sky.sunRadiance[0]; out[o + 1] += sky.sunRadiance[1]; out[o + 2] += sky.sunRadiance[2];
    }
  }
}

const SUN_COS = Math.cos(0.00465);
const INV_PI = 1 / Math.PI;
