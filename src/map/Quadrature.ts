/**
 * Fixed 16-point Gauss–Legendre quadrature. The integrands here (speed of a cubic curve,
 * cosines of a quadratic heading) are smooth, so one 16-point rule over a short panel is
 * exact to rounding; panels are chosen by the callers.
 */
const NODES = [
  0.09501250983763744, 0.2816035507792589, 0.45801677765722737, 0.6178762444026438,
  0.755404408355003, 0.8656312023878318, 0.9445750230732326, 0.9894009349916499,
];
const WEIGHTS = [
  0.18945061045506864, 0.18260341504492364, 0.16915651939500265, 0.1495959888165767,
  0.12462897125553407, 0.0951585116824926, 0.062253523938647456, 0.027152459411754176,
];

/** ∫_a^b f(x) dx by one 16-point Gauss–Legendre rule. */
export function gaussLegendre(f: (x: number) => number, a: number, b: number): number {
  const half = 0.5 * (b - a);
  const mid = 0.5 * (a + b);
  let sum = 0;
  for (let i = 0; i < 8; i++) {
    const dx = half * NODES[i];
    sum += WEIGHTS[i] * (f(mid - dx) + f(mid + dx));
  }
  return sum * half;
}
