import type { ConfigDocument, ConfigPath } from '../core/ConfigDocument.js';
import { DEG, readMount, type Mount } from './Rig.js';
import { RIG_LIMITS } from './RigLimits.js';
import { NOISE_DEFAULTS, seedOfName, sensorBase, type NoiseConfig } from './camera/SensorNoise.js';

/** A set exposure (ISO 12232): shutter (s), ISO speed, f-number; shutter undefined: metered (auto-exposure). */
export interface ExposureConfig {
  shutter: number | undefined;
  iso: number;
  fNumber: number;
}

export const CAMERA_OUTPUTS = ['rgb', 'depth', 'semantic', 'instance'] as const;
export type CameraOutput = (typeof CAMERA_OUTPUTS)[number];

/** Brown–Conrady coefficients (pinhole); for the fisheye model k1..k3 shape θ_d (p1 = p2 = 0). */
export interface Distortion {
  k1: number;
  k2: number;
  k3: number;
  p1: number;
  p2: number;
}

/**
 * A camera's rig entry. The camera looks along its mount's +x; images use the optical frame
 * (x right, y down, z forward). Pixel (col, row) has its centre at (u, v) = (col, row), as in
 * OpenCV, so a centred principal point is ((width - 1) / 2, (height - 1) / 2).
 *
 *   pinhole: u = fx * x_d + cx, with (x_d, y_d) the Brown–Conrady distortion of (x/z, y/z):
 *            x_d = x (1 + k1 r² + k2 r⁴ + k3 r⁶) + 2 p1 x y + p2 (r² + 2 x²)
 *            y_d = y (1 + k1 r² + k2 r⁴ + k3 r⁶) + p1 (r² + 2 y²) + 2 p2 x y
 *   fisheye: equidistant, θ = angle from the optical axis, θ_d = θ (1 + k1 θ² + k2 θ⁴ + k3 θ⁶),
 *            u = fx * θ_d * x / r + cx, v = fy * θ_d * y / r + cy  (r = hypot(x, y))
 */
export interface CameraConfig {
  name: string;
  type: 'camera';
  parent: string;
  mount: Mount;
  rateHz: number;
  width: number;
  height: number;
  fx: number;
  fy: number;
  cx: number;
  cy: number;
  model: 'pinhole' | 'fisheye';
  distortion: Distortion;
  outputs: CameraOutput[];
  /** Depth range (m): surfaces nearer than `near` (along the optical axis) are clipped, beyond `far` are sky. */
  near: number;
  far: number;
  /** Rows are read top to bottom over `readoutTime` s, in bands of `rowsPerBand` rows each taken at its own time. */
  rollingShutter: { readoutTime: number; rowsPerBand: number } | undefined;
  /** Shadow rays toward the sun for the RGB image. */
  shadows: boolean;
  /** Direction toward the sun: azimuth from world +x (east) counter-clockwise, elevation above the horizon (radians). */
  sunAzimuth: number;
  sunElevation: number;
  /** Fog: distance (m) at which a surface keeps 1/e of its own colour; Infinity for none. */
  fogDistance: number;
  /** 2D boxes of the actors seen (from the instance image). */
  boxes: boolean;
  /** Whether the camera sees the actor it is mounted on (off by default, like the other sensors). */
  seeParent: boolean;
  /**
   * How RGB is shaded: 'realistic' (materials and textures, GGX, Preetham sky, occlusion,
   * anti-aliasing, exposure, ACES tone curve, sRGB) or 'palette' (each class's Cityscapes
   * colour, Lambert-lit: the camera before realistic shading, kept for comparisons).
   */
  shading: 'realistic' | 'palette';
  /** Atmospheric turbidity of the Preetham sky (2: very clear .. 10: hazy). */
  turbidity: number;
  /** Exposure compensation (EV) on top of the metered exposure. */
  exposureBias: number;
  /** Shutter, ISO and f-number (absent: grey-card metering straight onto the tone curve, as before). */
  exposure?: ExposureConfig;
  /** EMVA 1288 sensor noise (absent: none). */
  noise?: NoiseConfig;
  /** Motion blur: the image is the mean of `samples` sub-frames spread over the shutter time (MotionBlur.ts); absent: none. */
  motionBlur?: { samples: number };
  /**
   * Rain streaks and snowflakes drawn from the weather's rain and snow rates (Precipitation.ts):
   * on unless false, for realistic shading and the pinhole model (palette and fisheye draw none).
   */
  precipitation?: boolean;
  /** A `raw` output: the sensor's digital numbers (u16, [height, width, 3]) before the tone curve; needs `noise`. */
  raw?: boolean;
}

const CAMERA_KEYS = [
  'name', 'type', 'parent', 'mount', 'rate', 'width', 'height', 'fov', 'intrinsics', 'model', 'distortion',
  'outputs', 'range', 'rolling_shutter', 'shadows', 'sun', 'fog', 'boxes', 'see_parent', 'shading', 'turbidity', 'exposure_bias',
  'exposure', 'auto_exposure', 'noise', 'motion_blur', 'precipitation', 'raw',
];
/** Sub-frames of `motion_blur: true`. */
export const MOTION_BLUR_DEFAULT_SAMPLES = 8;
const NOISE_KEYS = ['quantum_efficiency', 'dark_noise_e', 'full_well_e', 'gain_dn_per_e', 'bits', 'black_level_dn', 'prnu', 'dsnu_e', 'pixel_size_um', 'seed'];

/** `noise:` — true for the defaults, or the EMVA 1288 parameters (see SensorNoise). */
function readNoise(doc: ConfigDocument, at: ConfigPath, name: string): NoiseConfig | undefined {
  if (!doc.has(at) || doc.get(at) === false) return undefined;
  if (doc.get(at) !== true) doc.object(at, NOISE_KEYS);
  const num = (key: string, options: Parameters<ConfigDocument['number']>[1]) => (doc.get(at) === true ? (options!.default as number) : doc.number([...at, key], options));
  const d = NOISE_DEFAULTS;
  const bits = num('bits', { integer: true, min: 8, max: 16, default: d.bits });
  const fullWellE = num('full_well_e', { min: 1, max: 1e7, default: d.fullWellE });
  const blackLevelDn = num('black_level_dn', { integer: true, min: 0, max: 2 ** bits - 2, default: Math.min(d.blackLevelDn, 2 ** (bits - 4)) });
  const gain = doc.get(at) !== true && doc.has([...at, 'gain_dn_per_e']) ? doc.number([...at, 'gain_dn_per_e'], { min: 0, exclusiveMin: true, max: 1000 }) : undefined;
  return {
    quantumEfficiency: num('quantum_efficiency', { min: 0, exclusiveMin: true, max: 1, default: d.quantumEfficiency }),
    darkNoiseE: num('dark_noise_e', { min: 0, max: 1e4, default: d.darkNoiseE }),
    fullWellE, gainDnPerE: gain, bits, blackLevelDn,
    prnu: num('prnu', { min: 0, max: 0.5, default: d.prnu }),
    dsnuE: num('dsnu_e', { min: 0, max: 1e4, default: d.dsnuE }),
    pixelSizeUm: num('pixel_size_um', { min: 0, exclusiveMin: true, max: 100, default: d.pixelSizeUm }),
    seed: num('seed', { integer: true, min: 0, max: 0xffffffff, default: seedOfName(name) }),
  };
}

/** `exposure:` and `auto_exposure:`; undefined when neither they nor noise ask for a sensor exposure. */
function readExposure(doc: ConfigDocument, path: ConfigPath, noise: NoiseConfig | undefined): ExposureConfig | undefined {
  const at = [...path, 'exposure'];
  const given = doc.has(at);
  if (given) doc.object(at, ['shutter', 'iso', 'f_number']);
  const auto = doc.boolean([...path, 'auto_exposure'], !given);
  if (!given && !noise) return undefined;
  if (auto && doc.has([...at, 'shutter'])) doc.fail([...at, 'shutter'], 'auto_exposure meters the shutter: drop shutter or set auto_exposure: false');
  return {
    shutter: auto ? undefined : doc.number([...at, 'shutter'], { min: 0, exclusiveMin: true, max: 10 }),
    iso: doc.number([...at, 'iso'], { min: 0, exclusiveMin: true, max: 1e7, default: noise ? sensorBase(noise).iso : 100 }),
    fNumber: doc.number([...at, 'f_number'], { min: 0.5, max: 64, default: 2 }),
  };
}

export function readCameraConfig(doc: ConfigDocument, path: ConfigPath, name: string): CameraConfig {
  doc.object(path, CAMERA_KEYS);
  const width = doc.number([...path, 'width'], { integer: true, min: 1, max: RIG_LIMITS.cameraSide });
  const height = doc.number([...path, 'height'], { integer: true, min: 1, max: RIG_LIMITS.cameraSide });
  if (width * height > RIG_LIMITS.cameraPixels) doc.fail([...path, 'height'], `${width} x ${height} is ${width * height} pixels; a camera has at most ${RIG_LIMITS.cameraPixels} (4096 x 4096)`);
  const model = doc.string([...path, 'model'], { oneOf: ['pinhole', 'fisheye'], default: 'pinhole' }) as 'pinhole' | 'fisheye';
  const hasFov = doc.has([...path, 'fov']);
  const hasIntrinsics = doc.has([...path, 'intrinsics']);
  if (hasFov && hasIntrinsics) doc.fail([...path, 'intrinsics'], 'give either fov or intrinsics (fx, fy, cx, cy), not both');
  let fx: number, fy: number, cx: number, cy: number;
  if (hasIntrinsics) {
    const at = [...path, 'intrinsics'];
    doc.object(at, ['fx', 'fy', 'cx', 'cy']);
    fx = doc.number([...at, 'fx'], { min: 0, exclusiveMin: true });
    fy = doc.number([...at, 'fy'], { min: 0, exclusiveMin: true, default: fx });
    cx = doc.number([...at, 'cx'], { default: (width - 1) / 2 });
    cy = doc.number([...at, 'cy'], { default: (height - 1) / 2 });
  } else {
    const maxFov = model === 'fisheye' ? 360 : 179;
    const fov = doc.number([...path, 'fov'], { min: 0, exclusiveMin: true, max: maxFov, default: 90 }) * DEG;
    // The horizontal field of view spans the outer edges of the first and last columns.
    fx = model === 'fisheye' ? width / fov : width / 2 / Math.tan(fov / 2);
    fy = fx;
    cx = (width - 1) / 2;
    cy = (height - 1) / 2;
  }
  const dist = [...path, 'distortion'];
  if (doc.has(dist)) doc.object(dist, ['k1', 'k2', 'k3', 'p1', 'p2']);
  const coefficient = (key: string): number => doc.number([...dist, key], { default: 0, min: -10, max: 10 });
  const distortion = { k1: coefficient('k1'), k2: coefficient('k2'), k3: coefficient('k3'), p1: coefficient('p1'), p2: coefficient('p2') };
  if (model === 'fisheye' && (distortion.p1 !== 0 || distortion.p2 !== 0)) doc.fail([...dist, 'p1'], 'the fisheye model takes k1, k2, k3 only (p1 and p2 must be 0)');

  let outputs: CameraOutput[] = [...CAMERA_OUTPUTS];
  if (doc.has([...path, 'outputs'])) {
    const list = doc.array([...path, 'outputs']);
    if (list.length === 0) doc.fail([...path, 'outputs'], `expected at least one of ${CAMERA_OUTPUTS.join(', ')}`);
    outputs = list.map((_, i) => doc.string([...path, 'outputs', i], { oneOf: CAMERA_OUTPUTS }) as CameraOutput);
    outputs = CAMERA_OUTPUTS.filter((o) => outputs.includes(o));
  }
  const near = doc.number([...path, 'range', 'min'], { min: 0, exclusiveMin: true, default: 0.1 });
  const far = doc.number([...path, 'range', 'max'], { min: 0, exclusiveMin: true, default: 1000 });
  if (doc.has([...path, 'range'])) doc.object([...path, 'range'], ['min', 'max']);
  if (far <= near) doc.fail([...path, 'range', 'max'], `max (${far}) must exceed min (${near})`);

  let rollingShutter: CameraConfig['rollingShutter'];
  const rs = [...path, 'rolling_shutter'];
  if (doc.has(rs) && doc.get(rs) !== false) {
    doc.object(rs, ['readout_time', 'rows_per_band']);
    rollingShutter = {
      readoutTime: doc.number([...rs, 'readout_time'], { min: 0, exclusiveMin: true, max: 1 }),
      rowsPerBand: doc.number([...rs, 'rows_per_band'], { integer: true, min: 1, max: height, default: 8 }),
    };
  }
  if (doc.has([...path, 'sun'])) doc.object([...path, 'sun'], ['azimuth', 'elevation']);
  if (doc.has([...path, 'fog'])) doc.object([...path, 'fog'], ['distance']);
  const noise = readNoise(doc, [...path, 'noise'], name);
  const exposure = readExposure(doc, path, noise);
  const shading = doc.string([...path, 'shading'], { oneOf: ['realistic', 'palette'], default: 'realistic' }) as 'realistic' | 'palette';
  const extras = readSensorExtras(doc, path, { shading, model, exposure, noise });
  return {
    name,
    type: 'camera',
    parent: doc.string([...path, 'parent'], { default: 'ego' }),
    mount: readMount(doc, [...path, 'mount']),
    rateHz: doc.number([...path, 'rate'], { min: 0, exclusiveMin: true, max: 1000 }),
    width,
    height,
    fx, fy, cx, cy,
    model,
    distortion,
    outputs,
    near,
    far,
    rollingShutter,
    shadows: doc.boolean([...path, 'shadows'], true),
    sunAzimuth: doc.number([...path, 'sun', 'azimuth'], { default: 135 }) * DEG,
    sunElevation: doc.number([...path, 'sun', 'elevation'], { min: -90, max: 90, default: 50 }) * DEG,
    fogDistance: doc.number([...path, 'fog', 'distance'], { min: 0, exclusiveMin: true, default: 800 }),
    boxes: doc.boolean([...path, 'boxes'], true),
    seeParent: doc.boolean([...path, 'see_parent'], false),
    shading,
    turbidity: doc.number([...path, 'turbidity'], { min: 1.7, max: 10, default: 3 }),
    exposureBias: doc.number([...path, 'exposure_bias'], { min: -10, max: 10, default: 0 }),
    ...(exposure && { exposure }),
    ...(noise && { noise }),
    ...extras,
  };
}

/** `motion_blur:` and `raw:`, each off unless asked for, and `precipitation:` (on unless false), with what each needs. */
function readSensorExtras(
  doc: ConfigDocument, path: ConfigPath,
  c: { shading: 'realistic' | 'palette'; model: 'pinhole' | 'fisheye'; exposure: ExposureConfig | undefined; noise: NoiseConfig | undefined },
): Pick<CameraConfig, 'motionBlur' | 'precipitation' | 'raw'> {
  const out: Pick<CameraConfig, 'motionBlur' | 'precipitation' | 'raw'> = {};
  const mb = [...path, 'motion_blur'];
  if (doc.has(mb) && doc.get(mb) !== false) {
    let samples = MOTION_BLUR_DEFAULT_SAMPLES;
    if (doc.get(mb) !== true) {
      doc.object(mb, ['samples']);
      samples = doc.number([...mb, 'samples'], { integer: true, min: 2, max: 64 });
    }
    // The palette shader has no metered shutter: its blur needs one set.
    if (c.shading === 'palette' && c.exposure?.shutter === undefined) doc.fail(mb, 'motion blur with shading: palette needs exposure: { shutter } (and auto_exposure: false)');
    out.motionBlur = { samples };
  }
  // Rain and snow follow the weather unless turned off; asked for explicitly, they need what draws them.
  const pr = [...path, 'precipitation'];
  if (doc.has(pr)) {
    const on = doc.boolean(pr, true);
    if (on && c.shading === 'palette') doc.fail(pr, 'rain and snow are drawn by the realistic shader: drop shading: palette');
    if (on && c.model === 'fisheye') doc.fail(pr, 'rain and snow are drawn for the pinhole model only');
    out.precipitation = on;
  }
  if (doc.boolean([...path, 'raw'], false)) {
    if (!c.noise) doc.fail([...path, 'raw'], 'raw digital numbers come from the sensor model: add noise: true (or its parameters)');
    out.raw = true;
  }
  return out;
}

/** A camera config with defaults, for scripts and tests that build one without a rig file. */
export function cameraConfig(overrides: Partial<CameraConfig> & Pick<CameraConfig, 'width' | 'height'> & { fov?: number }): CameraConfig {
  const { fov, ...rest } = overrides;
  const width = overrides.width;
  const model = overrides.model ?? 'pinhole';
  const f = fov === undefined ? width / 2 : model === 'fisheye' ? width / fov : width / 2 / Math.tan(fov / 2);
  return {
    name: 'camera', type: 'camera', parent: 'ego', mount: { x: 0, y: 0, z: 0, roll: 0, pitch: 0, yaw: 0 }, rateHz: 10,
    fx: f, fy: f, cx: (width - 1) / 2, cy: (overrides.height - 1) / 2, model,
    distortion: { k1: 0, k2: 0, k3: 0, p1: 0, p2: 0 }, outputs: [...CAMERA_OUTPUTS], near: 0.1, far: 1000,
    rollingShutter: undefined, shadows: true, sunAzimuth: 135 * DEG, sunElevation: 50 * DEG, fogDistance: 800,
    boxes: true, seeParent: false, shading: 'realistic', turbidity: 3, exposureBias: 0,
    ...rest,
  };
}
