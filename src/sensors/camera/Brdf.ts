/**
 * Cook–Torrance microfacet reflection (Cook and Torrance 1982) with the GGX / Trowbridge–Reitz
 * normal distribution (Walter et al., "Microfacet Models for Refraction through Rough
 * Surfaces", EGSR 2007), Smith's masking-shadowing for GGX in its separable form, and
 * Schlick's (1994) Fresnel approximation; the roughness parameter is perceptual, α = r²
 * (Burley 2012), as in the materials table. Lambert diffuse for what is not reflected at the
 * surface, none for metals (their albedo tints the specular reflection instead).
 */

/** Smallest α: a perfect mirror would make the sun's highlight a single infinite sample. */
const MIN_ALPHA = 0.02;

/** GGX normal distribution D(h) for cos θ_h = nh. */
export function ggxD(nh: number, alpha: number): number {
  const a2 = alpha * alpha;
  const d = nh * nh * (a2 - 1) + 1;
  return a2 / (Math.PI * d * d);
}

/** Smith G1 for GGX: the share of microfacets seen from a direction at cos θ = nv. */
export function smithG1(nv: number, alpha: number): number {
  const a2 = alpha * alpha;
  return (2 * nv) / (nv + Math.sqrt(a2 + (1 - a2) * nv * nv));
}

/** Schlick's Fresnel weight (1 − cos θ)^5, to blend F0 toward 1. */
export function schlickWeight(cos: number): number {
  const m = 1 - Math.max(0, Math.min(1, cos));
  const m2 = m * m;
  return m2 * m2 * m;
}

/**
 * The specular BRDF's scalar part D G / (4 (n·l)(n·v)) for light l and view v around n,
 * and the Fresnel weight at the half vector in `fresnel.w`; the caller tints with F0.
 */
export function ggxSpecular(
  nx: number, ny: number, nz: number, vx: number, vy: number, vz: number, lx: number, ly: number, lz: number,
  roughness: number, fresnel: { w: number },
): number {
  const a = GGX;
  a[0] = nx; a[1] = ny; a[2] = nz; a[3] = vx; a[4] = vy; a[5] = vz; a[6] = lx; a[7] = ly; a[8] = lz; a[9] = roughness;
  ggxSpecularIn(a);
  fresnel.w = a[11];
  return a[10];
}

/**
 * ggxSpecular with its numbers in an array: n (0-2), v (3-5), l (6-8), roughness (9) in; the
 * scalar (10) and the Fresnel weight (11) out. The shading loop calls it so: ten doubles passed
 * to a function that is not inlined are each boxed on the heap, a pixel at a time.
 */
export function ggxSpecularIn(a: Float64Array): void {
  const nx = a[0], ny = a[1], nz = a[2], vx = a[3], vy = a[4], vz = a[5], lx = a[6], ly = a[7], lz = a[8], roughness = a[9];
  const nl = nx * lx + ny * ly + nz * lz;
  const nv = nx * vx + ny * vy + nz * vz;
  if (nl <= 0 || nv <= 0) {
    a[11] = 0;
    a[10] = 0;
    return;
  }
  let hx = lx + vx, hy = ly + vy, hz = lz + vz;
  const hl = Math.sqrt(hx * hx + hy * hy + hz * hz);
  hx /= hl; hy /= hl; hz /= hl;
  const nh = Math.max(0, nx * hx + ny * hy + nz * hz);
  const vh = vx * hx + vy * hy + vz * hz;
  const alpha = Math.max(MIN_ALPHA, roughness * roughness);
  a[11] = schlickWeight(vh);
  a[10] = (ggxD(nh, alpha) * smithG1(nl, alpha) * smithG1(nv, alpha)) / (4 * nl * nv);
}

/** ggxSpecularIn's array, for a caller that has none of its own (one per thread, as modules are). */
export const GGX = new Float64Array(12);

/**
 * The specular reflection of the environment integrated over the GGX lobe, as scale and bias
 * to F0: Karis's analytic fit ("Physically Based Shading on Mobile", 2014) of the
 * split-sum pre-integrated BRDF (Karis, SIGGRAPH 2013 course). Writes into out[0..1].
 */
export function environmentBrdf(nv: number, roughness: number, out: Float32Array): void {
  const r0 = -roughness + 1, r1 = -0.0275 * roughness + 0.0425;
  const r2 = -0.572 * roughness + 1.04, r3 = 0.022 * roughness - 0.04;
  const a004 = Math.min(r0 * r0, Math.exp(-6.4325 * Math.max(0, nv)) /* 2^(-9.28 nv) */) * r0 + r1;
  out[0] = -1.04 * a004 + r2;
  out[1] = 1.04 * a004 + r3;
}
