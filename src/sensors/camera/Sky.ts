/**
 * Daylight: the clear sky of Preetham, Shirley and Smits, "A Practical Analytic Model for
 * Daylight" (SIGGRAPH 1999), and the direct sun through the same atmosphere.
 *
 * Sky: the Perez et al. (1993) all-weather distribution
 *   F(θ, γ) = (1 + A e^(B / cos θ)) (1 + C e^(D γ) + E cos² γ)
 * (θ: the view's zenith angle, γ: its angle to the sun) gives luminance Y and chromaticity x, y
 * as  Y(θ, γ) = Y_z F(θ, γ) / F(0, θ_s),  with the paper's coefficients (its appendix) linear in
 * the turbidity T, the zenith luminance  Y_z = (4.0453 T − 4.9710) tan χ − 0.2155 T + 2.4192
 * (kcd/m², χ = (4/9 − T/120)(π − 2 θ_s)) and the zenith chromaticities as cubic polynomials in
 * θ_s, quadratic in T. Yxy becomes CIE XYZ and then linear sRGB (IEC 61966-2-1 matrix, D65).
 *
 * Sun: extraterrestrial illuminance 128 klx (white, D65) attenuated per channel by Rayleigh
 * scattering, optical depth 0.008735 λ^-4.08 (Leckner 1978, λ in µm), and aerosols with
 * Ångström's law β λ^-1.3, where β = 0.04608 T − 0.04586 (Preetham's appendix), over the
 * Kasten–Young (1989) relative air mass; channels at 610, 550 and 465 nm.
 *
 * Everything is in kcd/m² (radiance-like luminance) and klx (illuminance), in linear sRGB
 * whose luminance is 0.2126 R + 0.7152 G + 0.0722 B. The sky light on a surface comes from the
 * sky's radiance (and the ground's, below the horizon) projected on 9 spherical harmonics and
 * turned into irradiance as Ramamoorthi and Hanrahan (2001) do: no per-pixel integration.
 */

/** Perez coefficients A..E for luminance Y and chromaticities x, y at turbidity T (Preetham's appendix). */
export function perezCoefficients(t: number): { Y: number[]; x: number[]; y: number[] } {
  return {
    Y: [0.1787 * t - 1.463, -0.3554 * t + 0.4275, -0.0227 * t + 5.3251, 0.1206 * t - 2.5771, -0.067 * t + 0.3703],
    x: [-0.0193 * t - 0.2592, -0.0665 * t + 0.0008, -0.0004 * t + 0.2125, -0.0641 * t - 0.8989, -0.0033 * t + 0.0452],
    y: [-0.0167 * t - 0.2608, -0.095 * t + 0.0092, -0.0079 * t + 0.2102, -0.0441 * t - 1.6537, -0.0109 * t + 0.0529],
  };
}

/** Perez et al. 1993: relative sky luminance at zenith angle θ (as cos θ) and angle γ to the sun. */
export function perez(c: readonly number[], cosTheta: number, gamma: number, cosGamma: number): number {
  return (1 + c[0] * Math.exp(c[1] / cosTheta)) * (1 + c[2] * Math.exp(c[3] * gamma) + c[4] * cosGamma * cosGamma);
}

/** Zenith luminance (kcd/m²) and chromaticity at turbidity T and sun zenith angle θs (Preetham's appendix). */
export function zenith(t: number, thetaS: number): { Y: number; x: number; y: number } {
  const chi = (4 / 9 - t / 120) * (Math.PI - 2 * thetaS);
  const Y = (4.0453 * t - 4.971) * Math.tan(chi) - 0.2155 * t + 2.4192;
  const th = [thetaS ** 3, thetaS ** 2, thetaS, 1];
  const row = (m: number[][]) => {
    const tt = [t * t, t, 1];
    let s = 0;
    for (let i = 0; i < 3; i++) for (let j = 0; j < 4; j++) s += tt[i] * m[i][j] * th[j];
    return s;
  };
  const x = row([[0.00166, -0.00375, 0.00209, 0], [-0.02903, 0.06377, -0.03202, 0.00394], [0.11693, -0.21196, 0.06052, 0.25886]]);
  const y = row([[0.00275, -0.0061, 0.00317, 0], [-0.04214, 0.0897, -0.04153, 0.00516], [0.15346, -0.26756, 0.0667, 0.26688]]);
  return { Y, x, y };
}

/** CIE xyY to linear sRGB (D65), into out[o..o+2]. */
export function xyYToLinearSrgb(x: number, y: number, Y: number, out: Float32Array | number[], o = 0): void {
  const X = (x / y) * Y, Z = ((1 - x - y) / y) * Y;
  out[o] = 3.2406 * X - 1.5372 * Y - 0.4986 * Z;
  out[o + 1] = -0.9689 * X + 1.8758 * Y + 0.0415 * Z;
  out[o + 2] = 0.0557 * X - 0.204 * Y + 1.057 * Z;
}

/** Kasten and Young (1989) relative optical air mass at a zenith angle (radians). */
export function airMass(zenithAngle: number): number {
  const deg = Math.min(zenithAngle * (180 / Math.PI), 90);
  return 1 / (Math.cos(deg * (Math.PI / 180)) + 0.50572 * (96.07995 - deg) ** -1.6364);
}

/** Extraterrestrial solar illuminance (klx). */
const SOLAR_ILLUMINANCE = 128;
/** Wavelengths (µm) standing for the sRGB channels when the sun's light is attenuated. */
const CHANNEL_WAVELENGTH = [0.61, 0.55, 0.465];
/** Reflectance of the ground below the horizon, lighting surfaces that face down (asphalt and grass). */
const GROUND_ALBEDO = 0.15;
/** The sun's angular radius (rad). */
export const SUN_RADIUS = 0.00465;

/** Sky-radiance table resolution: rows over sqrt(cos θ) (denser at the horizon), columns over azimuth. */
const ROWS = 96;
const COLS = 192;

/**
 * The sky and sun of one scene (turbidity, sun direction). Built once per camera: a radiance
 * table for sky pixels and reflections, the sun's illuminance, and SH irradiance.
 */
export class Sky {
  readonly sunZenith: number;
  /** Sun illuminance on a surface facing it (klx), linear sRGB. */
  readonly sunIlluminance = new Float32Array(3);
  /** Sun disk radiance (kcd/m²). */
  readonly sunRadiance = new Float32Array(3);
  /** Radiance of the ground seen below the horizon (kcd/m²). */
  readonly groundRadiance = new Float32Array(3);
  /** Mean sky radiance just above the horizon (2 degrees) over all azimuths: the colour distance fades to. */
  readonly horizonRadiance = new Float32Array(3);
  /** Illuminance on a horizontal surface from sun and sky (klx): what exposure meters. */
  readonly horizontalIlluminance: number;
  private readonly coef: { Y: number[]; x: number[]; y: number[] };
  private readonly zen: { Y: number; x: number; y: number };
  private readonly norm: { Y: number; x: number; y: number };
  private readonly table = new Float32Array(ROWS * COLS * 3);
  /** 9 SH coefficients per channel of irradiance (already convolved with the cosine lobe). */
  private readonly sh = new Float32Array(27);

  constructor(readonly turbidity: number, readonly sun: readonly number[]) {
    const t = turbidity;
    // The model holds for a sun above the horizon; a lower sun is treated as just above it.
    this.sunZenith = Math.min(Math.acos(Math.max(-1, Math.min(1, sun[2]))), (89 * Math.PI) / 180);
    this.coef = perezCoefficients(t);
    this.zen = zenith(t, this.sunZenith);
    const cs = Math.cos(this.sunZenith);
    this.norm = {
      Y: perez(this.coef.Y, 1, this.sunZenith, cs),
      x: perez(this.coef.x, 1, this.sunZenith, cs),
      y: perez(this.coef.y, 1, this.sunZenith, cs),
    };
    const m = airMass(this.sunZenith);
    const beta = 0.04608 * t - 0.04586;
    const visible = sun[2] > 0 ? 1 : 0;
    for (let c = 0; c < 3; c++) {
      const l = CHANNEL_WAVELENGTH[c];
      const tau = 0.008735 * l ** -4.08 + beta * l ** -1.3;
      this.sunIlluminance[c] = visible * SOLAR_ILLUMINANCE * Math.exp(-m * tau);
      this.sunRadiance[c] = this.sunIlluminance[c] / (Math.PI * SUN_RADIUS * SUN_RADIUS);
    }
    const rgb = [0, 0, 0];
    for (let r = 0; r < ROWS; r++) {
      const s = r / (ROWS - 1);
      const z = Math.max(s * s, 1e-3);
      const h = Math.sqrt(1 - z * z);
      for (let k = 0; k < COLS; k++) {
        const phi = (k / COLS) * 2 * Math.PI - Math.PI;
        this.radiance(h * Math.cos(phi), h * Math.sin(phi), z, rgb);
        this.table.set(rgb, (r * COLS + k) * 3);
      }
    }
    const z2 = Math.sin((2 * Math.PI) / 180), h2 = Math.cos((2 * Math.PI) / 180);
    for (let k = 0; k < 64; k++) {
      const phi = (k / 64) * 2 * Math.PI;
      this.radiance(h2 * Math.cos(phi), h2 * Math.sin(phi), z2, rgb);
      for (let c = 0; c < 3; c++) this.horizonRadiance[c] += rgb[c] / 64;
    }
    // Horizontal illuminance: the sun's plus the sky's (cosine-weighted integral over the upper hemisphere).
    const skyUp = this.integrate((x, y, z, out) => (z > 0 ? this.radiance(x, y, z, out) : out.fill(0)), [0, 0, 1]);
    const sunUp = this.sunIlluminance.map((e) => e * Math.max(0, sun[2]));
    for (let c = 0; c < 3; c++) this.groundRadiance[c] = (GROUND_ALBEDO * (sunUp[c] + skyUp[c])) / Math.PI;
    this.horizontalIlluminance = luminance(sunUp[0] + skyUp[0], sunUp[1] + skyUp[1], sunUp[2] + skyUp[2]);
    this.projectIrradiance();
  }

  /** Sky luminance Y (kcd/m²) toward a unit direction, by the model itself (no table). */
  luminance(x: number, y: number, z: number): number {
    const cosTheta = Math.max(z, 1e-3);
    const cosGamma = Math.max(-1, Math.min(1, x * this.sun[0] + y * this.sun[1] + z * this.sun[2]));
    return (this.zen.Y * perez(this.coef.Y, cosTheta, Math.acos(cosGamma), cosGamma)) / this.norm.Y;
  }

  /** Sky radiance (kcd/m², linear sRGB) toward a unit direction above the horizon, by the model. */
  radiance(x: number, y: number, z: number, out: number[] | Float32Array): number[] | Float32Array {
    const cosTheta = Math.max(z, 1e-3);
    const cosGamma = Math.max(-1, Math.min(1, x * this.sun[0] + y * this.sun[1] + z * this.sun[2]));
    const gamma = Math.acos(cosGamma);
    const Y = (this.zen.Y * perez(this.coef.Y, cosTheta, gamma, cosGamma)) / this.norm.Y;
    const cx = (this.zen.x * perez(this.coef.x, cosTheta, gamma, cosGamma)) / this.norm.x;
    const cy = (this.zen.y * perez(this.coef.y, cosTheta, gamma, cosGamma)) / this.norm.y;
    xyYToLinearSrgb(cx, cy, Y, out);
    return out;
  }

  /**
   * Radiance toward a unit world direction from the table (bilinear): the sky above the
   * horizon, the ground below it. The sun's disk is not included (see `sunRadiance`).
   */
  lookup(x: number, y: number, z: number, out: Float32Array, o: number): void {
    const d = DIRECTION;
    d[0] = x; d[1] = y; d[2] = z;
    this.lookupAt(d, out, o);
  }

  /**
   * `lookup` with the direction in an array (x, y, z): the shading loops call it so, since
   * doubles passed to a function that is not inlined are each boxed on the heap.
   */
  lookupAt(direction: Float64Array, out: Float32Array, o: number): void {
    const x = direction[0], y = direction[1], z = direction[2];
    if (z <= 0) {
      out[o] = this.groundRadiance[0]; out[o + 1] = this.groundRadiance[1]; out[o + 2] = this.groundRadiance[2];
      return;
    }
    const fr = Math.sqrt(z) * (ROWS - 1);
    let fc = ((fastAtan2(y, x) + Math.PI) / (2 * Math.PI)) * COLS;
    if (fc >= COLS) fc -= COLS;
    if (fc < 0) fc = 0;
    const r0 = Math.min(fr | 0, ROWS - 2), c0 = fc | 0;
    const c1 = c0 + 1 === COLS ? 0 : c0 + 1;
    const wr = fr - r0, wc = fc - c0;
    const t = this.table;
    const a = (r0 * COLS + c0) * 3, b = (r0 * COLS + c1) * 3, c = ((r0 + 1) * COLS + c0) * 3, d = ((r0 + 1) * COLS + c1) * 3;
    const w00 = (1 - wc) * (1 - wr), w01 = wc * (1 - wr), w10 = (1 - wc) * wr, w11 = wc * wr;
    out[o] = t[a] * w00 + t[b] * w01 + t[c] * w10 + t[d] * w11;
    out[o + 1] = t[a + 1] * w00 + t[b + 1] * w01 + t[c + 1] * w10 + t[d + 1] * w11;
    out[o + 2] = t[a + 2] * w00 + t[b + 2] * w01 + t[c + 2] * w10 + t[d + 2] * w11;
  }

  /** Irradiance (klx) from sky and ground on a surface with unit normal n, into out[o..o+2]. */
  irradiance(nx: number, ny: number, nz: number, out: Float32Array, o: number): void {
    const s = this.sh;
    const b0 = 0.282095, b1 = 0.488603 * ny, b2 = 0.488603 * nz, b3 = 0.488603 * nx;
    const b4 = 1.092548 * nx * ny, b5 = 1.092548 * ny * nz, b6 = 0.315392 * (3 * nz * nz - 1), b7 = 1.092548 * nx * nz, b8 = 0.546274 * (nx * nx - ny * ny);
    for (let c = 0; c < 3; c++) {
      const k = c * 9;
      const e = s[k] * b0 + s[k + 1] * b1 + s[k + 2] * b2 + s[k + 3] * b3 + s[k + 4] * b4 + s[k + 5] * b5 + s[k + 6] * b6 + s[k + 7] * b7 + s[k + 8] * b8;
      out[o + c] = e > 0 ? e : 0;
    }
  }

  /** Cosine-weighted integral of a radiance function over the hemisphere around n (midpoint rule). */
  private integrate(f: (x: number, y: number, z: number, out: number[]) => unknown, n: readonly number[]): number[] {
    const sum = [0, 0, 0], l = [0, 0, 0];
    const N = 48, M = 96;
    for (let i = 0; i < N; i++) {
      const theta = ((i + 0.5) / N) * Math.PI;
      for (let j = 0; j < M; j++) {
        const phi = ((j + 0.5) / M) * 2 * Math.PI;
        const x = Math.sin(theta) * Math.cos(phi), y = Math.sin(theta) * Math.sin(phi), z = Math.cos(theta);
        const cos = x * n[0] + y * n[1] + z * n[2];
        if (cos <= 0) continue;
        f(x, y, z, l);
        const w = cos * Math.sin(theta) * (Math.PI / N) * ((2 * Math.PI) / M);
        for (let c = 0; c < 3; c++) sum[c] += l[c] * w;
      }
    }
    return sum;
  }

  /** Projects sky + ground radiance on 9 real SH and convolves with the clamped cosine (Ramamoorthi & Hanrahan 2001). */
  private projectIrradiance(): void {
    const N = 64, M = 128;
    const L = new Float64Array(27);
    const l = new Float32Array(3);
    const A = [Math.PI, (2 * Math.PI) / 3, (2 * Math.PI) / 3, (2 * Math.PI) / 3, Math.PI / 4, Math.PI / 4, Math.PI / 4, Math.PI / 4, Math.PI / 4];
    for (let i = 0; i < N; i++) {
      const theta = ((i + 0.5) / N) * Math.PI;
      for (let j = 0; j < M; j++) {
        const phi = ((j + 0.5) / M) * 2 * Math.PI;
        const x = Math.sin(theta) * Math.cos(phi), y = Math.sin(theta) * Math.sin(phi), z = Math.cos(theta);
        if (z > 0) this.radiance(x, y, z, l);
        else l.set(this.groundRadiance);
        const w = Math.sin(theta) * (Math.PI / N) * ((2 * Math.PI) / M);
        const basis = [0.282095, 0.488603 * y, 0.488603 * z, 0.488603 * x, 1.092548 * x * y, 1.092548 * y * z, 0.315392 * (3 * z * z - 1), 1.092548 * x * z, 0.546274 * (x * x - y * y)];
        for (let c = 0; c < 3; c++) for (let b = 0; b < 9; b++) L[c * 9 + b] += l[c] * basis[b] * w;
      }
    }
    for (let c = 0; c < 3; c++) for (let b = 0; b < 9; b++) this.sh[c * 9 + b] = L[c * 9 + b] * A[b];
  }
}

/**
 * atan2 by a polynomial on [0, 1] and octant folding (error < 2.1e-4 rad, under a hundredth
 * of a table column): Math.atan2 was a large share of the cost of a sky pixel.
 */
export function fastAtan2(y: number, x: number): number {
  const ax = x < 0 ? -x : x, ay = y < 0 ? -y : y;
  const hi = ax > ay ? ax : ay, lo = ax > ay ? ay : ax;
  if (hi === 0) return 0;
  const q = lo / hi, q2 = q * q;
  let r = ((-0.0464964749 * q2 + 0.15931422) * q2 - 0.327622764) * q2 * q + q;
  if (ay > ax) r = Math.PI / 2 - r;
  if (x < 0) r = Math.PI - r;
  return y < 0 ? -r : r;
}

/** Relative luminance of linear sRGB (ITU-R BT.709 primaries). */
export function luminance(r: number, g: number, b: number): number {
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** A direction for lookupAt, for a caller that has none of its own (one per thread, as modules are). */
export const DIRECTION = new Float64Array(3);
