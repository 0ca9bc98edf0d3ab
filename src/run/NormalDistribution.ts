/**
 * The standard normal distribution's density and distribution function, for the searches: the
 * truncated normals of the cross-entropy method and the expected improvement of Bayesian
 * optimisation, which reads Φ far into the lower tail, where an absolute error would swamp it.
 */

const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/** φ, the standard normal density. */
export function normalPdf(z: number): number {
  return INV_SQRT_2PI * Math.exp(-0.5 * z * z);
}

/**
 * Φ, the standard normal distribution function, as erfc(−z/√2)/2 with erfc by the Chebyshev
 * fit of Numerical Recipes (Press et al., 2nd ed., §6.2, `erfcc`): a relative error under
 * 1.2e-7 everywhere, so Φ(−8) = 6.2e-16 keeps its digits (an absolute-error fit would not).
 */
export function normalCdf(z: number): number {
  const x = -z / Math.SQRT2;
  const a = Math.abs(x);
  const t = 1 / (1 + 0.5 * a);
  const erfc = t * Math.exp(-a * a - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
    + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return (x >= 0 ? erfc : 2 - erfc) / 2;
}

/**
 * z Φ(z) + φ(z): the expected improvement of a unit normal over a threshold z standard
 * deviations above its mean (Jones, Schonlau and Welch 1998, eq. 15, divided by σ). Below
 * z = −8 the two terms cancel to a few digits, so there it is the asymptotic series of Mills'
 * ratio, φ(z)/z² Σ_k (−1)^k (2k + 1)!! / z^(2k), to twelve terms: the last is under 1e-8 of the
 * sum at z = −8, and the series is nearer still further out.
 */
export function unitImprovement(z: number): number {
  if (z >= -8) return Math.max(0, z * normalCdf(z) + normalPdf(z));
  const w = 1 / (z * z);
  let sum = 0, term = 1;
  for (let k = 0; k < 12; k++) {
    sum += term;
    term *= -(2 * k + 3) * w;
  }
  return normalPdf(z) * w * sum;
}
