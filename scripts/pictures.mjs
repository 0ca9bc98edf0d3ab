// Pictures of what the sensors see in the default scenario (scenarios/default.yaml, run as the
// CLI runs it, with a front camera added to its rig): docs/images/camera-rgb.png,
// camera-semantic.png, camera-depth.png and lidar-sweep.png (a bird's-eye view of one LiDAR
// sweep, coloured by class and shaded by intensity), and lidar-weather.png (the same sweep in
// clear air, fog of 50 m visibility, rain of 25 mm/h and snow of 2 mm/h, side by side).
//
//   npm run pictures                 the pictures in docs/images (1280 x 720)
//   npm run pictures -- --reference  the reference images the camera test compares against
//                                    (test/fixtures/reference-images, 320 x 180, both shadings)
//
// Regenerate the references on purpose only: when the world's geometry or the camera's
// shading changes and the new images have been looked at.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encode } from 'fast-png';
import { cameraConfig, fieldArray, loadRunInputs, runScenario, SEMANTIC_CLASSES } from '../dist/index.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DEG = Math.PI / 180;
/** The moment pictured: 2 s in, the ego behind the lead car approaching the junction. */
export const PICTURE_TIME_NS = 2_000_000_000;
export const REFERENCE_DIR = join(ROOT, 'test', 'fixtures', 'reference-images');

/** A forward camera on the ego's roof, like the benchmark's. */
export function pictureCamera(width, height, overrides = {}) {
  return cameraConfig({ name: 'front', width, height, fov: 90 * DEG, rateHz: 10, mount: { x: 1.0, y: 0, z: 1.6, roll: 0, pitch: 2 * DEG, yaw: 0 }, ...overrides });
}

/**
 * Runs the default scenario up to `tNs` with the given extra cameras in its rig (on one
 * thread); returns the frames of every sensor at exactly tNs, by topic.
 */
export async function framesAt(cameras, tNs = PICTURE_TIME_NS, { lidar = false, weather } = {}) {
  const inputs = await loadRunInputs(join(ROOT, 'scenarios', 'default.yaml'));
  if (weather) inputs.scenario.weather = weather;
  const sensors = [...(lidar ? inputs.rig.sensors.filter((s) => s.type === 'lidar') : []), ...cameras];
  const frames = {};
  await runScenario({
    scenario: inputs.scenario,
    rig: { ...inputs.rig, sensors },
    seed: inputs.seed,
    // A sweep is delivered when it completes, a period after it starts.
    duration: tNs / 1e9 + 0.15,
    threads: 1,
    sinks: [{ write: (f) => { if (f.t_ns === tNs) frames[f.topic] = f; } }],
  });
  return frames;
}

export function png(width, height, data, channels = 3) {
  return encode({ width, height, data, channels, depth: 8 });
}

function semanticImage(frame) {
  const { width, height } = frame.fields;
  const ids = fieldArray(frame.data.semantic);
  const colours = new Uint8Array(256 * 3);
  for (const c of SEMANTIC_CLASSES) colours.set(c.color, c.id * 3);
  const out = new Uint8Array(width * height * 3);
  for (let i = 0; i < ids.length; i++) out.set(colours.subarray(ids[i] * 3, ids[i] * 3 + 3), i * 3);
  return png(width, height, out);
}

/** Depth as grey on a log scale from 1 m (white) to 200 m (black); sky black. */
function depthImage(frame) {
  const { width, height } = frame.fields;
  const depth = fieldArray(frame.data.depth);
  const out = new Uint8Array(width * height);
  for (let i = 0; i < depth.length; i++) {
    const d = depth[i];
    out[i] = d > 0 ? Math.round(255 * Math.max(0, Math.min(1, 1 - Math.log(d) / Math.log(200)))) : 0;
  }
  return png(width, height, out, 1);
}

/**
 * One sweep seen from above (x forward up the picture, 80 m square around the sensor): each
 * point in its semantic class's colour, brighter as its intensity rises (on a log scale, from
 * 0.01, a dark surface far off, to 10, a retroreflector near), drawn 2 x 2 pixels.
 */
function lidarImage(frame, size = 800, extent = 40) {
  return png(size, size, lidarPixels(frame, size, extent));
}

/** The pixels of lidarImage: size x size RGB. */
function lidarPixels(frame, size, extent) {
  const points = fieldArray(frame.data.points);
  const classes = fieldArray(frame.data.semantic);
  const colours = new Uint8Array(256 * 3).fill(200);
  for (const c of SEMANTIC_CLASSES) colours.set(c.id === 0 ? [200, 200, 200] : c.color, c.id * 3);
  const out = new Uint8Array(size * size * 3).fill(12);
  const count = points.length / 4;
  for (let k = 0; k < count; k++) {
    const x = points[k * 4], y = points[k * 4 + 1], intensity = points[k * 4 + 3];
    if (!(x === x) || (x === 0 && y === 0)) continue;
    const col = Math.round(size / 2 - (y / extent) * (size / 2)), row = Math.round(size / 2 - (x / extent) * (size / 2));
    const brightness = 0.35 + 0.65 * Math.max(0, Math.min(1, (Math.log10(Math.max(intensity, 1e-6)) + 2) / 3));
    const c = classes[k] * 3;
    for (let dr = 0; dr < 2; dr++) {
      for (let dc = 0; dc < 2; dc++) {
        const r = row + dr, q = col + dc;
        if (q < 0 || r < 0 || q >= size || r >= size) continue;
        const o = (r * size + q) * 3;
        for (let a = 0; a < 3; a++) out[o + a] = Math.round(colours[c + a] * brightness);
      }
    }
  }
  return out;
}

/** The weathers of lidar-weather.png, left to right. */
const LIDAR_WEATHERS = [
  ['clear', undefined],
  ['fog 50 m', { fog: { visibility: 50 } }],
  ['rain 25 mm/h', { rain: { rate: 25 } }],
  ['snow 2 mm/h', { snow: { rate: 2 } }],
];

/** The default rig's LiDAR at PICTURE_TIME_NS in each of LIDAR_WEATHERS, panels of `size` px side by side, 4 px apart. */
export async function lidarWeatherImage(size = 480, extent = 30) {
  const gap = 4;
  const width = LIDAR_WEATHERS.length * size + (LIDAR_WEATHERS.length - 1) * gap;
  const out = new Uint8Array(width * size * 3).fill(255);
  for (const [k, [, weather]] of LIDAR_WEATHERS.entries()) {
    const frames = await framesAt([], PICTURE_TIME_NS, { lidar: true, weather });
    const lidar = Object.entries(frames).find(([topic]) => topic.startsWith('lidar/'))[1];
    const panel = lidarPixels(lidar, size, extent);
    for (let row = 0; row < size; row++) out.set(panel.subarray(row * size * 3, (row + 1) * size * 3), (row * width + k * (size + gap)) * 3);
  }
  return png(width, size, out);
}

async function pictures() {
  const frames = await framesAt([pictureCamera(1280, 720)], PICTURE_TIME_NS, { lidar: true });
  const camera = frames['camera/front'];
  const lidar = Object.entries(frames).find(([topic]) => topic.startsWith('lidar/'))?.[1];
  const dir = join(ROOT, 'docs', 'images');
  mkdirSync(dir, { recursive: true });
  const { width, height } = camera.fields;
  writeFileSync(join(dir, 'camera-rgb.png'), png(width, height, fieldArray(camera.data.rgb)));
  writeFileSync(join(dir, 'camera-semantic.png'), semanticImage(camera));
  writeFileSync(join(dir, 'camera-depth.png'), depthImage(camera));
  if (lidar) writeFileSync(join(dir, 'lidar-sweep.png'), lidarImage(lidar));
  writeFileSync(join(dir, 'lidar-weather.png'), await lidarWeatherImage());
  console.log(`wrote camera-rgb, camera-semantic, camera-depth${lidar ? ', lidar-sweep' : ''}, lidar-weather (.png) to ${dir}`);
}

/** The reference images: the default scenario at PICTURE_TIME_NS, 320 x 180, realistic and palette shading. */
export async function referenceFrames() {
  const frames = await framesAt([pictureCamera(320, 180), pictureCamera(320, 180, { name: 'palette', shading: 'palette' })]);
  return { realistic: frames['camera/front'], palette: frames['camera/palette'] };
}

async function references() {
  const { realistic, palette } = await referenceFrames();
  mkdirSync(REFERENCE_DIR, { recursive: true });
  for (const [name, frame] of [['default-rgb.png', realistic], ['default-rgb-palette.png', palette]]) {
    writeFileSync(join(REFERENCE_DIR, name), png(frame.fields.width, frame.fields.height, fieldArray(frame.data.rgb)));
  }
  console.log(`wrote the reference images to ${REFERENCE_DIR}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await (process.argv.includes('--reference') ? references() : pictures());
}
