// The cost of each weather and real-sensor effect against the same sensor in clear weather,
// on the bundled town with its actors (bench/sensors.mjs builds it), measured in one run:
// each rate is the best of three interleaved rounds against the shared machine's noise, and
// every figure is printed as a ratio to the clear sensor's rate measured beside it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Camera, Lidar, loadRig, Radar, Random } from '../dist/index.js';

/** The sensors of a rig written as YAML text (the way users give options), by name. */
function rigSensors(yaml) {
  const dir = mkdtempSync(join(tmpdir(), 'roadcast-bench-'));
  try {
    writeFileSync(join(dir, 'rig.yaml'), yaml);
    return Object.fromEntries(loadRig(join(dir, 'rig.yaml')).sensors.map((s) => [s.name, s]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Captures per CPU second of this process of `capture(k)` over at least `minMs` of wall time
 * (after one warm-up call). These sensors run on the calling thread, so CPU time is their
 * cost, and unlike wall time it does not count the moments other processes of the shared
 * machine hold the core (which swung wall-time ratios by ±30 %).
 */
function rate(capture, minMs = 700) {
  capture(0);
  let runs = 0;
  const start = performance.now();
  const cpu = process.cpuUsage();
  while (runs < 2 || performance.now() - start < minMs) capture(++runs);
  const used = process.cpuUsage(cpu);
  return runs / ((used.user + used.system) / 1e6);
}

/** Best of `rounds` interleaved rounds of every case: { name: rate }. */
function bestOf(cases, rounds = 5) {
  const best = {};
  for (let k = 0; k < rounds; k++) {
    for (const [name, run] of Object.entries(cases)) best[name] = Math.max(best[name] ?? 0, rate(run));
  }
  return best;
}

const LIDAR_WEATHER = {
  'fog 50 m': { fog: { visibility: 50 } },
  'rain 25 mm/h': { rain: { rate: 25 } },
  'fog 50 m + rain 25 mm/h': { fog: { visibility: 50 }, rain: { rate: 25 } },
  'wet road 0.5': { wetRoad: 0.5 },
  'snow 2 mm/h': { snow: { rate: 2 } },
};

export function benchWeather({ world, state, ego }, lidarConfig) {
  const sensors = rigSensors(`sensors:
  - { name: cam, type: camera, rate: 10, width: 640, height: 360, fov: 90, mount: { x: 1.0, z: 1.6 } }
  - { name: cam_noise, type: camera, rate: 10, width: 640, height: 360, fov: 90, mount: { x: 1.0, z: 1.6 }, noise: true }
  - { name: cam_set, type: camera, rate: 10, width: 640, height: 360, fov: 90, mount: { x: 1.0, z: 1.6 }, noise: true, auto_exposure: false, exposure: { shutter: 0.004, iso: 400, f_number: 2.8 } }
  - { name: radar, type: radar, rate: 20, preset: long-range, mount: { x: 3.7, z: 0.5 } }
  - { name: cam_blur, type: camera, rate: 10, width: 640, height: 360, fov: 90, mount: { x: 1.0, z: 1.6 }, noise: true, auto_exposure: false, exposure: { shutter: 0.01, iso: 400, f_number: 2.8 }, motion_blur: { samples: 4 } }
  - { name: radar_clutter, type: radar, rate: 20, preset: long-range, mount: { x: 3.7, z: 0.5 }, fluctuation: swerling1, false_alarm_probability: 1.0e-6, clutter: true, nuscenes_fields: true }
  - { name: radar_real, type: radar, rate: 20, preset: long-range, mount: { x: 3.7, z: 0.5 }, fluctuation: swerling1, false_alarm_probability: 1.0e-6, max_unambiguous_velocity: 20, merge_unresolved: true, multipath_reflectivity: 0.5 }
`);
  const lidarCase = (weather, config = lidarConfig) => {
    const lidar = new Lidar({ ...config, motionDistortion: false }, new Random(1));
    return (k) => lidar.capture(world, ego, k * lidar.schedule.periodNs, state.actors, weather);
  };
  const lidarCases = { clear: lidarCase(undefined) };
  for (const [name, weather] of Object.entries(LIDAR_WEATHER)) lidarCases[name] = lidarCase(weather);
  // Beam divergence: K sub-rays a beam (at most K times the clear LiDAR), and dual returns.
  const beam = (subRays, returnMode) => ({ ...lidarConfig, beam: { divergence: 0.3 * Math.PI / 180, subRays, rangeResolution: 1, returnMode } });
  lidarCases['7 sub-rays, strongest'] = lidarCase(undefined, beam(7, 'strongest'));
  lidarCases['7 sub-rays, dual returns'] = lidarCase(undefined, beam(7, 'dual'));
  const lidar = bestOf(lidarCases);

  const cameraCase = (config, weather) => {
    const camera = new Camera(config);
    return (k) => camera.capture(world, ego, k * camera.schedule.periodNs, weather);
  };
  const camera = bestOf({
    clear: cameraCase(sensors.cam), 'noise, auto exposure': cameraCase(sensors.cam_noise), 'noise, set exposure': cameraCase(sensors.cam_set),
    'motion blur, 4 sub-frames': cameraCase(sensors.cam_blur),
    'rain 25 mm/h (drops drawn)': cameraCase(sensors.cam, { rain: { rate: 25 } }),
    'snow 2 mm/h (flakes drawn)': cameraCase(sensors.cam, { snow: { rate: 2 } }),
  });

  const radarCase = (config) => {
    const radar = new Radar(config, new Random(1));
    return (k, at = state) => radar.capture(world, ego, at, k * radar.schedule.periodNs);
  };
  const radar = bestOf({
    clear: radarCase(sensors.radar), 'swerling1 + Pfa, wrap, merge, multipath': radarCase(sensors.radar_real),
    'ground clutter + nuScenes fields': radarCase(sensors.radar_clutter),
    'rain 25 mm/h, two-way attenuation': (() => { const run = radarCase(sensors.radar); return (k) => run(k, { ...state, weather: { rain: { rate: 25 } } }); })(),
  });

  // Each effect against its baseline: clear, except where named (blur against the same camera without it).
  const baseOf = { 'motion blur, 4 sub-frames': 'noise, set exposure' };
  const costs = (rates) => Object.fromEntries(Object.entries(rates).filter(([name]) => name !== 'clear').map(([name, r]) => [name, rates[baseOf[name] ?? 'clear'] / r]));
  return {
    lidar_clear_fps: lidar.clear, lidar_costs: costs(lidar),
    camera_clear_fps: camera.clear, camera_costs: costs(camera),
    radar_clear_fps: radar.clear, radar_costs: costs(radar),
  };
}

/** The issue's budget for each effect, as a multiple of its baseline's time; absent: none set. */
const LIMITS = {
  'fog 50 m': 1.5, 'rain 25 mm/h': 1.5, 'wet road 0.5': 1.5, 'rain 25 mm/h (drops drawn)': 1.5,
  '7 sub-rays, strongest': 7, '7 sub-rays, dual returns': 7,
  'noise, auto exposure': 1.2, 'noise, set exposure': 1.2, 'motion blur, 4 sub-frames': 4,
};

export function printWeather(w) {
  console.log('sensors: weather and real-sensor effects, cost against the same sensor in clear air (same run, CPU time, one core; budgets are the issue\'s)');
  const lines = (sensor, clearFps, costs) => {
    console.log(`  ${sensor} clear: ${clearFps.toFixed(1)} frames/s`);
    for (const [name, cost] of Object.entries(costs)) {
      const base = name === 'motion blur, 4 sub-frames' ? ' against the same camera unblurred' : '';
      console.log(`    ${name.padEnd(40)} ${cost.toFixed(2)}x${LIMITS[name] ? ` (at most ${LIMITS[name]}x${base})` : ''}`);
    }
  };
  lines('lidar (default rig)', w.lidar_clear_fps, w.lidar_costs);
  lines('camera 640x360', w.camera_clear_fps, w.camera_costs);
  lines('radar long-range', w.radar_clear_fps, w.radar_costs);
}
