import { MATERIALS } from '../../core/materials.js';

/**
 * Procedural surface textures, evaluated at the world position of each sample so that a
 * surface looks the same from any camera, in any frame and at any resolution (no texture
 * images, no UVs on the meshes). All patterns come from deterministic value noise: a hash of
 * the integer lattice point (no random state), smoothly interpolated.
 *
 * A texture changes the sample's linear albedo, and for façade windows its roughness and
 * metalness too (glass reflects the sky). The scales are those of the real thing: asphalt
 * aggregate of a few centimetres, 2.5 m concrete slabs, bricks of 240 x 65 mm with 10 mm mortar
 * (the European "NF" format), storeys of 3.2 m with 1.2 x 1.5 m windows.
 */

export const TEXTURE_NONE = 0;
const KINDS = ['asphalt', 'concrete', 'facade', 'foliage', 'grass', 'bark', 'brick', 'paint-wear'] as const;

/** Texture code per material id (0: none; otherwise 1 + index in KINDS). */
export const TEXTURE_BY_MATERIAL: Uint8Array = (() => {
  const t = new Uint8Array(256);
  for (const m of MATERIALS) if ('texture' in m && m.texture) t[m.id] = 1 + KINDS.indexOf(m.texture);
  return t;
})();

const [ASPHALT, CONCRETE, FACADE, FOLIAGE, GRASS, BARK, BRICK, PAINT_WEAR] = KINDS.map((_, i) => i + 1);

/** What a texture may change of a sample: linear albedo, roughness, metalness, F0 of a dielectric. */
export interface SurfaceSample {
  r: number;
  g: number;
  b: number;
  roughness: number;
  metalness: number;
  specular: number;
}

/** A hash of an integer lattice point to [0, 1). */
function hash3(x: number, y: number, z: number): number {
  let h = Math.imul(x, 0x27d4eb2d) ^ Math.imul(y, 0x165667b1) ^ Math.imul(z, 0x61c88647);
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
}

/** A hash of a 2D lattice point to [0, 1): one mixing round is enough for value noise. */
function hash2(x: number, y: number): number {
  let h = Math.imul(x, 0x27d4eb2d) ^ Math.imul(y, 0x165667b1);
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
  return ((h ^ (h >>> 13)) >>> 0) / 4294967296;
}

/**
 * The 2D lattice's values, hashed once: a tile of LATTICE x LATTICE points with a wrapped extra
 * row and column so that a cell's four corners are two adjacent pairs. The tile repeats every
 * 256 cells (5.7 m for the finest grain, whose repeats a pixel cannot tell apart), and reading
 * it is several times cheaper than hashing four points per sample.
 */
const LATTICE = 256;
const LATTICE_VALUES = (() => {
  const t = new Float32Array((LATTICE + 1) * (LATTICE + 1));
  for (let y = 0; y <= LATTICE; y++) for (let x = 0; x <= LATTICE; x++) t[y * (LATTICE + 1) + x] = hash2(x % LATTICE, y % LATTICE);
  return t;
})();

/** 2D value noise in [0, 1) with smoothstep interpolation. */
export function noise2(x: number, y: number): number {
  const ix = Math.floor(x), iy = Math.floor(y);
  let fx = x - ix, fy = y - iy;
  fx = fx * fx * (3 - 2 * fx);
  fy = fy * fy * (3 - 2 * fy);
  const k = (iy & (LATTICE - 1)) * (LATTICE + 1) + (ix & (LATTICE - 1));
  const t = LATTICE_VALUES;
  const a = t[k], b = t[k + 1], c = t[k + LATTICE + 1], d = t[k + LATTICE + 2];
  const top = a + (b - a) * fx, bottom = c + (d - c) * fx;
  return top + (bottom - top) * fy;
}

/**
 * How much of a pattern with `frequency` lattice cells per metre a pixel whose footprint on the
 * surface is `footprint` metres can show: all of it while a cell spans two pixels or more, none
 * once a cell is a pixel or less (there it would only alias into noise that crawls from frame to
 * frame; its mean is what the pixel should see, and skipping it is also what makes far surfaces
 * cheap).
 */
function detail(footprint: number, frequency: number): number {
  const d = 2 - 2 * footprint * frequency;
  return d <= 0 ? 0 : d >= 1 ? 1 : d;
}

/** 2D value noise faded toward its mean (1/2) by the pixel footprint; not evaluated where wholly faded. */
function octave2(a: number, b: number, frequency: number, footprint: number): number {
  const d = detail(footprint, frequency);
  return d === 0 ? 0.5 : 0.5 + d * (noise2(a * frequency, b * frequency) - 0.5);
}

/** 3D value noise faded toward its mean as `octave2`. */
function octave3(x: number, y: number, z: number, frequency: number, footprint: number): number {
  const d = detail(footprint, frequency);
  return d === 0 ? 0.5 : 0.5 + d * (noise3(x * frequency, y * frequency, z * frequency) - 0.5);
}

/** 3D value noise in [0, 1). */
export function noise3(x: number, y: number, z: number): number {
  const ix = Math.floor(x), iy = Math.floor(y), iz = Math.floor(z);
  let fx = x - ix, fy = y - iy, fz = z - iz;
  fx = fx * fx * (3 - 2 * fx);
  fy = fy * fy * (3 - 2 * fy);
  fz = fz * fz * (3 - 2 * fz);
  const z0 = lerp(lerp(hash3(ix, iy, iz), hash3(ix + 1, iy, iz), fx), lerp(hash3(ix, iy + 1, iz), hash3(ix + 1, iy + 1, iz), fx), fy);
  const z1 = lerp(lerp(hash3(ix, iy, iz + 1), hash3(ix + 1, iy, iz + 1), fx), lerp(hash3(ix, iy + 1, iz + 1), hash3(ix + 1, iy + 1, iz + 1), fx), fy);
  return lerp(z0, z1, fz);
}

function lerp(a: number, b: number, t: number): number {
  return a + (b - a) * t;
}

const frac = (x: number) => x - Math.floor(x);

/** Stone-noise value above which an asphalt grain is a bright stone. */
const STONE_THRESHOLD = 0.82;

/** Asphalt's linear albedo, which worn paint shows through. */
const ASPHALT_LINEAR = 0.035;

/** Share of asphalt where its stone noise (45 cells/m) exceeds the bright-stone threshold: what a far pixel averages to. */
const STONE_SHARE = (() => {
  let n = 0;
  for (let i = 0; i < 128; i++) for (let j = 0; j < 128; j++) if (noise2(i * 0.37 + 0.11, j * 0.41 + 0.23) > STONE_THRESHOLD) n++;
  return n / (128 * 128);
})();

/**
 * Applies texture `kind` at world point (x, y, z) with unit normal n to the sample, whose
 * pixel covers about `footprint` metres of the surface (finer patterns fade to their mean).
 * Surfaces are parameterised in the plane they mostly lie in: ground by (x, y), walls by
 * (along the wall, height).
 */
export function applyTexture(kind: number, x: number, y: number, z: number, nx: number, ny: number, nz: number, footprint: number, s: SurfaceSample): void {
  const at = TEXTURE_AT;
  at[0] = x; at[1] = y; at[2] = z; at[3] = nx; at[4] = ny; at[5] = nz; at[6] = footprint;
  applyTextureAt(kind, at, s);
}

/**
 * applyTexture with the point, normal and footprint in an array (x, y, z, nx, ny, nz,
 * footprint; two more slots it uses itself): the shading loop calls it so, since doubles passed
 * to a function that is not inlined are each boxed on the heap, a pixel at a time.
 */
export function applyTextureAt(kind: number, at: Float64Array, s: SurfaceSample): void {
  const x = at[0], y = at[1], nx = at[3], ny = at[4], nz = at[5];
  // The plane's coordinates (a, b) go on in the array: each kind is a function of its own, small
  // enough that V8 inlines its noise, whose doubles would otherwise be boxed a call at a time.
  if (nz > 0.7 || nz < -0.7) {
    at[7] = x; at[8] = y;
  } else {
    const h = Math.sqrt(nx * nx + ny * ny) || 1;
    at[7] = (-ny * x + nx * y) / h; at[8] = at[2];
  }
  switch (kind) {
    case ASPHALT: return asphalt(at, s);
    case CONCRETE: return concrete(at, s);
    case PAINT_WEAR: return paintWear(at, s);
    case FACADE: return facade(at, s, false);
    case BRICK: return facade(at, s, true);
    case FOLIAGE: return foliage(at, s);
    case GRASS: return grass(at, s);
    case BARK: return bark(at, s);
  }
}

/** Aggregate grain, a few bright stones, and metre-scale patches of wear. */
function asphalt(at: Float64Array, s: SurfaceSample): void {
  const a = at[7], b = at[8], footprint = at[6];
  const d = detail(footprint, 45);
  const stones = d === 0 ? STONE_SHARE : (1 - d) * STONE_SHARE + (noise2(a * 45, b * 45) > STONE_THRESHOLD ? d : 0);
  const f = 0.72 + 0.28 * octave2(a, b, 14, footprint) + 0.35 * (noise2(a * 0.6, b * 0.6) - 0.5) + 0.5 * stones;
  s.r *= f; s.g *= f; s.b *= f;
}

function concrete(at: Float64Array, s: SurfaceSample): void {
  const a = at[7], b = at[8], footprint = at[6];
  const joint = frac(a / 2.5) < 0.006 || frac(b / 2.5) < 0.006;
  const f = joint ? 0.55 : 0.86 + 0.18 * noise2(a * 3, b * 3) + 0.1 * octave2(a, b, 30, footprint) - 0.07;
  s.r *= f; s.g *= f; s.b *= f;
}

/** Worn where tyres roll: the paint gives way to the asphalt under it in patches. */
function paintWear(at: Float64Array, s: SurfaceSample): void {
  const a = at[7], b = at[8], footprint = at[6];
  const n = 0.65 * noise2(a * 3, b * 3) + 0.35 * octave2(a, b, 25, footprint);
  const keep = Math.max(0, Math.min(1, (n - 0.22) / 0.18));
  s.r = ASPHALT_LINEAR + (s.r - ASPHALT_LINEAR) * keep;
  s.g = ASPHALT_LINEAR + (s.g - ASPHALT_LINEAR) * keep;
  s.b = ASPHALT_LINEAR + (s.b - ASPHALT_LINEAR) * keep;
  const f = 0.92 + 0.16 * octave2(a, b, 40, footprint);
  s.r *= f; s.g *= f; s.b *= f;
}

/** Plaster or brick, with windows. */
function facade(at: Float64Array, s: SurfaceSample, brick: boolean): void {
  const a = at[7], b = at[8], footprint = at[6], nz = at[5];
  if (nz > -0.7 && nz < 0.7 && window(a, b, s)) return;
  let f: number;
  if (brick) {
    const course = Math.floor(b / 0.075);
    const along = a / 0.25 + (course & 1) * 0.5;
    const mortar = frac(b / 0.075) < 0.133 || frac(along) < 0.04;
    if (mortar) {
      s.r = 0.42; s.g = 0.4; s.b = 0.36;
      return;
    }
    f = 0.75 + 0.5 * hash3(Math.floor(along), course, 7) + 0.1 * octave2(a, b, 20, footprint);
  } else {
    // Plaster: large soft stains, fine grain, and a darker plinth at street level.
    f = 0.88 + 0.16 * noise2(a * 0.8, b * 0.8) + 0.06 * octave2(a, b, 20, footprint) - (b < 0.6 ? 0.25 : 0);
  }
  s.r *= f; s.g *= f; s.b *= f;
}

function foliage(at: Float64Array, s: SurfaceSample): void {
  const x = at[0], y = at[1], z = at[2], footprint = at[6];
  const n = 0.6 * octave3(x, y, z, 5, footprint) + 0.4 * octave3(x, y, z, 14, footprint);
  const f = 0.35 + 1.3 * n;
  s.r *= 0.8 + 0.4 * n;
  s.r *= f; s.g *= f; s.b *= f;
}

/** Blades at a few centimetres, dry yellowish patches at metres. */
function grass(at: Float64Array, s: SurfaceSample): void {
  const a = at[7], b = at[8], footprint = at[6];
  const dry = noise2(a * 0.5, b * 0.5);
  const blades = octave2(a, b, 30, footprint);
  const d = Math.max(0, dry - 0.45) * 1.2;
  s.r += (0.22 - s.r) * d; s.g += (0.2 - s.g) * d; s.b += (0.06 - s.b) * d;
  const f = 0.7 + 0.55 * blades;
  s.r *= f; s.g *= f; s.b *= f;
}

/** Vertical furrows: noise stretched along the trunk (its finest cells are 1/18 m across it). */
function bark(at: Float64Array, s: SurfaceSample): void {
  const x = at[0], y = at[1], z = at[2], footprint = at[6];
  const d = detail(footprint, 18);
  const f = 0.55 + 0.8 * (d === 0 ? 0.5 : 0.5 + d * (noise3(x * 18, y * 18, z * 1.5) - 0.5));
  s.r *= f; s.g *= f; s.b *= f;
}

/**
 * Windows on a wall at (along, height): 1.2 m wide every 3 m, 1.5 m tall from 0.9 m above each
 * 3.2 m storey, with a light frame; the glass is dark and smooth, reflecting the sky.
 */
function window(a: number, h: number, s: SurfaceSample): boolean {
  if (h < 0.9) return false;
  const u = frac(a / 3) * 3, v = h - Math.floor(h / 3.2) * 3.2;
  if (u < 0.9 || u > 2.1 || v < 0.9 || v > 2.4) return false;
  if (u < 0.97 || u > 2.03 || v < 0.97 || v > 2.33 || Math.abs(u - 1.5) < 0.035) {
    s.r = s.g = s.b = 0.6;
    s.roughness = 0.5;
    return true;
  }
  s.r = 0.02; s.g = 0.025; s.b = 0.03;
  s.roughness = 0.04;
  s.metalness = 0;
  s.specular = 0.04;
  return true;
}

/** applyTextureAt's array, for a caller that has none of its own (one per thread, as modules are). */
export const TEXTURE_AT = new Float64Array(9);
