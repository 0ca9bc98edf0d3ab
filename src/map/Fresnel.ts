/**
 * Fresnel integrals C(x) = ∫0^x cos(π t²/2) dt and S(x) = ∫0^x sin(π t²/2) dt to about
 * 1e-15 absolute, for the clothoid (spiral) geometry of OpenDRIVE.
 *
 * Small |x| uses the power series, where the alternating terms stay small enough that no
 * digits cancel; larger |x| uses the continued fraction of the complementary error function
 * (modified Lentz), which converges fast there and keeps the result exact near the limits
 * C, S → 1/2 where a series would cancel catastrophically.
 */
const SERIES_LIMIT = 1.5;
const EPS = 1e-17;
const MAX_ITERATIONS = 500;
const TINY = 1e-300;

export interface FresnelValue {
  c: number;
  s: number;
}

export function fresnel(x: number): FresnelValue {
  const ax = Math.abs(x);
  const value = ax < SERIES_LIMIT ? series(ax) : continuedFraction(ax);
  return x < 0 ? { c: -value.c, s: -value.s } : value;
}

function series(ax: number): FresnelValue {
  if (ax === 0) return { c: 0, s: 0 };
  // Term k of the joint series is (π/2 x²)^k / k! · x, divided by 2k+1; even k feed C, odd k feed S.
  const fact = (Math.PI / 2) * ax * ax;
  let term = ax;
  let c = ax;
  let s = 0;
  for (let k = 1; k < MAX_ITERATIONS; k++) {
    term *= fact / k;
    const contribution = term / (2 * k + 1);
    // Signs: C takes + for k ≡ 0 (mod 4), - for k ≡ 2; S takes + for k ≡ 1, - for k ≡ 3.
    switch (k & 3) {
      case 0: c += contribution; break;
      case 1: s += contribution; break;
      case 2: c -= contribution; break;
      default: s -= contribution; break;
    }
    if (contribution < EPS * Math.max(Math.abs(c), Math.abs(s))) break;
  }
  return { c, s };
}

/** C + iS = (1+i)/2 · (1 - e^{iπx²/2} · h), h from the continued fraction of erfc. */
function continuedFraction(ax: number): FresnelValue {
  const pix2 = Math.PI * ax * ax;
  // Complex numbers as [re, im] pairs, kept in locals to avoid allocation.
  let bRe = 1;
  let bIm = -pix2;
  let ccRe = 1 / TINY;
  let ccIm = 0;
  // d = h = 1 / b
  let den = bRe * bRe + bIm * bIm;
  let dRe = bRe / den;
  let dIm = -bIm / den;
  let hRe = dRe;
  let hIm = dIm;
  let n = -1;
  for (let k = 2; k <= MAX_ITERATIONS; k++) {
    n += 2;
    const a = -n * (n + 1);
    bRe += 4;
    // d = 1 / (a d + b)
    const xRe = a * dRe + bRe;
    const xIm = a * dIm + bIm;
    den = xRe * xRe + xIm * xIm;
    dRe = xRe / den;
    dIm = -xIm / den;
    // cc = b + a / cc
    den = ccRe * ccRe + ccIm * ccIm;
    ccRe = bRe + (a * ccRe) / den;
    ccIm = bIm - (a * ccIm) / den;
    // del = cc d; h *= del
    const delRe = ccRe * dRe - ccIm * dIm;
    const delIm = ccRe * dIm + ccIm * dRe;
    const nhRe = hRe * delRe - hIm * delIm;
    hIm = hRe * delIm + hIm * delRe;
    hRe = nhRe;
    if (Math.abs(delRe - 1) + Math.abs(delIm) < EPS) break;
  }
  // h *= (ax, -ax)
  const h2Re = hRe * ax + hIm * ax;
  const h2Im = hIm * ax - hRe * ax;
  // The phase πx²/2 reduced exactly enough: cos/sin of a large argument lose only ulp(phase).
  const phase = 0.5 * pix2;
  const eRe = Math.cos(phase);
  const eIm = Math.sin(phase);
  const pRe = 1 - (eRe * h2Re - eIm * h2Im);
  const pIm = -(eRe * h2Im + eIm * h2Re);
  // (0.5 + 0.5i) · p
  return { c: 0.5 * (pRe - pIm), s: 0.5 * (pRe + pIm) };
}
