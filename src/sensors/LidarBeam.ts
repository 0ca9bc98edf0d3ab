/**
 * The sub-rays that stand for one LiDAR beam of finite divergence, and their weights.
 *
 * A pulsed laser's beam is close to a Gaussian (TEM00) beam: its irradiance at distance r from
 * the axis is I(r) = I0 exp(-2 r² / w²), w the 1/e² radius, and the power inside radius r is
 * 1 - exp(-2 r² / w²) of the whole (Siegman, "Lasers", University Science Books 1986, §17.1).
 * In the far field w grows linearly with range, w = z θ/2 for a full divergence angle θ
 * (1/e² diameter over range), so in angle a ray α off the beam axis sits at r/w = α / (θ/2)
 * whatever the range.
 *
 * The cone out to the 1/e² radius (86 % of the power) is cut into a centre disc and M rings
 * of equal radial width: cell boundaries at ρ = (j + 1/2) / (M + 1/2), j = 0..M, in units of w,
 * with ring j's rays at ρ_j = j / (M + 1/2) (the middle of its band), and the centre ray on the
 * axis. Ring j holds 6j rays (hexagonal packing, so K = 1, 7, 19, 37, 61 fill whole rings),
 * except the outermost, which holds whatever of K is left. A cell's weight is the Gaussian
 * power in its band, exp(-2 b_(j-1)²) - exp(-2 b_j²), shared equally by its rays; the weights
 * are scaled to sum to 1 (the 14 % outside the 1/e² radius is left out). Ring j's m-th ray is
 * at angle φ = 2π m / n_j from the beam's horizontal axis (its left, looking along the beam),
 * turned by half a step on even rings so that rings do not line up. With K = 1 there is
 * one ray on the axis with weight 1: the beam of the plain LiDAR.
 */

export interface BeamPattern {
  /** Sub-rays per beam, K. */
  count: number;
  /** Angle of each sub-ray off the axis, in units of the 1/e² half-angle θ/2. */
  offAxis: Float64Array;
  /** Angle of each sub-ray about the axis (radians), from the beam's horizontal left towards up. */
  azimuth: Float64Array;
  /** Share of the beam's power each sub-ray carries; they sum to 1. */
  weight: Float64Array;
}

/** Rings needed for k sub-rays: the smallest M with 1 + 3M(M + 1) >= k. */
export function ringCount(k: number): number {
  let m = 0;
  while (1 + 3 * m * (m + 1) < k) m++;
  return m;
}

export function beamPattern(k: number): BeamPattern {
  if (!Number.isInteger(k) || k < 1) throw new Error(`a beam needs a whole number of sub-rays >= 1, got ${k}`);
  const offAxis = new Float64Array(k);
  const azimuth = new Float64Array(k);
  const weight = new Float64Array(k);
  const m = ringCount(k);
  const boundary = (j: number): number => (j + 0.5) / (m + 0.5);
  const inside = (rho: number): number => 1 - Math.exp(-2 * rho * rho);
  const total = m === 0 ? 1 : inside(1);
  weight[0] = m === 0 ? 1 : inside(boundary(0)) / total;
  let s = 1;
  for (let j = 1; j <= m; j++) {
    const n = j < m ? 6 * j : k - 1 - 3 * m * (m - 1);
    const share = (inside(boundary(j)) - inside(boundary(j - 1))) / total / n;
    const turn = j % 2 === 0 ? Math.PI / n : 0;
    for (let r = 0; r < n; r++, s++) {
      offAxis[s] = j / (m + 0.5);
      azimuth[s] = turn + (2 * Math.PI * r) / n;
      weight[s] = share;
    }
  }
  return { count: k, offAxis, azimuth, weight };
}
