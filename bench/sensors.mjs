// sensors section of `npm run bench`: each sensor alone and the whole rig on the bundled town
// (maps/town.xodr, seeded dressing, 16 buildings) with ~50 actors on its lanes, in frames per
// wall second on one core, and the whole rig again with a RaycastPool over every core. The
// camera (640 x 360, RGB + depth + semantic + instance + 2D boxes) is measured with and
// without shadow rays, with the old palette shading beside the realistic one, beside a ray-per-pixel baseline rendering the same image through the
// raycaster in the same run, so the raster/rays ratio is printed.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { availableParallelism } from 'node:os';
import { benchWeather, printWeather } from './weather.mjs';
import { Camera, cameraConfig, drawActorBuild, Lidar, loadRig, mountSensors, planRoadside, Radar, RADAR_PRESETS, Random, RaycastPool, readOpenDrive, SensorPipeline, StaticActors, World } from '../dist/index.js';

const ROOT = join(fileURLToPath(import.meta.url), '..', '..');
const DEG = Math.PI / 180;

/** Drivable lanes of the town's roads outside junctions: [road, lane id]. */
function lanesOf(network) {
  const lanes = [];
  for (const road of network.roads) {
    if (road.junction !== '-1' || road.length < 30) continue;
    const section = road.sections[0];
    for (const lane of [...section.left, ...section.right]) if (lane.type === 'driving') lanes.push([road, lane.id]);
  }
  return lanes;
}

/**
 * The town with `count` actors (cars mostly, some vans, trucks, buses, cyclists and
 * pedestrians) spread over its lanes by a seeded generator, the ego (instance 1) first,
 * placed on a long street looking along it, and the roadside's parked cars after them.
 */
export function townWithActors(count = 50, seed = 7, detail = 'detailed') {
  const network = readOpenDrive(join(ROOT, 'maps', 'town.xodr'));
  const roadside = planRoadside(network, 1, { buildings: 16 });
  const world = World.build(network, roadside, { actorDetail: detail, sceneryDetail: detail });
  const random = new Random(seed);
  const lanes = lanesOf(network);
  const kinds = ['car', 'car', 'car', 'car', 'van', 'truck', 'bus', 'cyclist', 'pedestrian', 'car'];
  const actors = [];
  const place = (id, kind, road, laneId, s, ego) => {
    const p = network.lanePose(road.id, laneId, s);
    const heading = p.heading + (laneId > 0 ? Math.PI : 0);
    // Each actor's drawn style, size and look, as a run's simulation gives it; mid-stride, wheels turned.
    const build = drawActorBuild(seed, id, kind);
    const speed = kind === 'pedestrian' ? 1.4 : kind === 'cyclist' ? 4 : 8;
    actors.push({
      id, instanceId: actors.length + 1, kind, ego,
      pose: { p: [p.x, p.y, p.z], q: [0, 0, Math.sin(heading / 2), Math.cos(heading / 2)] },
      heading, velocity: [speed * Math.cos(heading), speed * Math.sin(heading), 0], speed,
      box: { length: build.length, width: build.width, height: build.height, center: [build.centerX, 0, build.height / 2] },
      style: build.style, appearance: build.appearance, ...(build.stature > 0 ? { stature: build.stature } : {}),
      odometer: s, steer: 0, gaitPhase: (s * 0.7) % 1,
      road: road.id, lane: laneId, s, t: 0,
    });
  };
  // The ego on the street whose middle is nearest the town's centre, looking along it.
  const b = network.bounds();
  const mid = ([road, lane]) => {
    const p = network.lanePose(road.id, lane, road.length / 2);
    return Math.hypot(p.x - (b.minX + b.maxX) / 2, p.y - (b.minY + b.maxY) / 2);
  };
  const [egoRoad, egoLane] = lanes.filter(([, lane]) => lane < 0).sort((x, y) => mid(x) - mid(y))[0];
  place('ego', 'car', egoRoad, egoLane, 8, true);
  for (let i = 0, tries = 0; actors.length <= count && tries < 20 * count; tries++) {
    const [road, lane] = lanes[Math.floor(random.next() * lanes.length)];
    const s = 5 + random.next() * (road.length - 10);
    if (actors.some((a) => a.road === road.id && a.lane === lane && Math.abs(a.s - s) < 8)) continue;
    place(`a${i}`, kinds[i % kinds.length], road, lane, s, false);
    i++;
  }
  // A few actors straight ahead of the ego so the camera always has some in view.
  for (const [k, ds] of [[0, 18], [1, 32], [2, 50]]) {
    if (egoRoad.length > 8 + ds + 3) place(`ahead${k}`, k === 1 ? 'van' : 'car', egoRoad, egoLane, 8 + ds, false);
  }
  // The parked cars, as a run's simulation adds them: instance ids after the moving actors'.
  actors.push(...new StaticActors(roadside.parkedCars, actors.length + 1, new Set(actors.map((a) => a.id)), seed).states);
  const state = { tick: 0, t_ns: 0, actors };
  world.update(state);
  return { network, world, state, ego: actors[0] };
}

/**
 * The town's state `k` steps of 10 ms on, as a run's simulation gives it: every moving actor
 * carried along its velocity (wheels turning, legs walking), new state objects each step, parked
 * cars where they stand. Time wraps every 2 s, so the scene stays the one the benches measure
 * however long they run. Fractional k gives the state within a step (a sensor's `middle`).
 */
export function stateAt(state, k) {
  const t = (k % 200) * 0.01;
  return {
    ...state, tick: Math.floor(k), t_ns: Math.round(k * 10_000_000),
    actors: state.actors.map((a) => (a.speed > 0 ? {
      ...a,
      pose: { p: [a.pose.p[0] + a.velocity[0] * t, a.pose.p[1] + a.velocity[1] * t, a.pose.p[2]], q: a.pose.q },
      odometer: a.odometer + a.speed * t,
      gaitPhase: ((a.gaitPhase ?? 0) + t) % 1,
    } : { ...a })),
  };
}

/** The benchmark camera: 640 x 360, 90 degrees, on the roof looking forward. */
export function benchCamera(overrides = {}) {
  return cameraConfig({ name: 'front', width: 640, height: 360, fov: 90 * DEG, mount: { x: 1.0, y: 0, z: 1.6, roll: 0, pitch: 0, yaw: 0 }, ...overrides });
}

/** Runs `fn` until `minMs` have passed (at least `minRuns` times); returns runs per second. */
export function rate(fn, { minMs = 2000, minRuns = 3 } = {}) {
  fn();
  let runs = 0;
  const start = performance.now();
  while (runs < minRuns || performance.now() - start < minMs) {
    fn();
    runs++;
  }
  return runs / ((performance.now() - start) / 1000);
}

/**
 * Frames per wall second of cameras kept from one measurement to the next, as a run keeps its
 * cameras (a new camera's first images set up its tiles on every thread, which is not what a
 * run's frame rate is made of): one camera per named config and per side (one thread, or the
 * pool), built and warmed with a few images on first use. `fps(name, onPool, minMs)`;
 * `fps.dispose()` gives them up.
 */
export function steadyCameras(world, ego, pool, configs) {
  const cameras = new Map();
  let k = 0;
  const fps = (name, onPool, minMs) => {
    world.scene.usePool(onPool ? pool : undefined);
    const key = `${name} ${onPool}`;
    let camera = cameras.get(key);
    if (!camera) {
      cameras.set(key, (camera = new Camera(configs[name])));
      for (let w = 0; w < 4; w++) camera.capture(world, ego, k++ * camera.schedule.periodNs);
    }
    return rate(() => camera.capture(world, ego, k++ * camera.schedule.periodNs), { minMs, minRuns: 3 });
  };
  fps.dispose = () => {
    for (const camera of cameras.values()) camera.dispose();
  };
  return fps;
}

/** Frames per wall second of one sensor, built once, capturing a frame per call (at its next firing time). */
function sensorRate(make, capture, options) {
  const sensor = make();
  let k = 0;
  return rate(() => capture(sensor, k++ * sensor.schedule.periodNs), options);
}

/**
 * The town as roadcast drew it before detailed shapes and materials (box actors, box scenery)
 * against today's (drawn body styles with wheels and limbs, façades, leafy crowns, street
 * furniture), built and measured in the same run: triangles in the scene, camera frames per
 * second at 640 x 360 with every output (the realistic shading on both worlds, and the palette
 * shading on both), LiDAR rays per second. The geometry's cost is the ratio on the same
 * sensor; the shading's, realistic against palette on today's world. Each rate is the best of
 * four interleaved rounds, against the shared machine's noise.
 */
function benchRealism() {
  const before = townWithActors(50, 7, 'boxes');
  const after = townWithActors(50, 7, 'detailed');
  const triangles = (t) => t.world.scene.staticMesh.triangleCount + t.world.placedParts.reduce((n, part) => n + part.mesh.triangleCount, 0);
  const lidarConfig = { ...loadRig(join(ROOT, 'sensors', 'default.yaml')).sensors.find((s) => s.type === 'lidar'), motionDistortion: false };
  const rays = new Lidar(lidarConfig, new Random(1)).rayCount;
  const cameraRate = (t, config) => sensorRate(() => new Camera(config), (c, tNs) => c.capture(t.world, t.ego, tNs), { minMs: 800 });
  const lidarRate = (t) => rays * sensorRate(() => new Lidar(lidarConfig, new Random(1)), (l, tNs) => l.capture(t.world, t.ego, tNs, t.state.actors), { minMs: 800 });
  const realistic = benchCamera(), palette = benchCamera({ shading: 'palette' });
  const round = () => ({
    realisticBefore: cameraRate(before, realistic), realisticAfter: cameraRate(after, realistic),
    paletteBefore: cameraRate(before, palette), paletteAfter: cameraRate(after, palette),
    lidarBefore: lidarRate(before), lidarAfter: lidarRate(after),
  });
  const rounds = Array.from({ length: 4 }, round);
  const best = (key) => Math.max(...rounds.map((x) => x[key]));
  const r = {
    triangles_before: triangles(before), triangles_after: triangles(after),
    camera_before_fps: best('realisticBefore'), camera_after_fps: best('realisticAfter'),
    palette_before_fps: best('paletteBefore'), palette_after_fps: best('paletteAfter'),
    lidar_before_rays_per_s: best('lidarBefore'), lidar_after_rays_per_s: best('lidarAfter'),
  };
  return {
    ...r,
    camera_geometry_cost: r.camera_before_fps / r.camera_after_fps,
    palette_geometry_cost: r.palette_before_fps / r.palette_after_fps,
    lidar_geometry_cost: r.lidar_before_rays_per_s / r.lidar_after_rays_per_s,
    shading_cost: r.palette_after_fps / r.camera_after_fps,
    camera_vs_old_camera: r.palette_before_fps / r.camera_after_fps,
  };
}

export async function benchSensors() {
  const realism = benchRealism();
  const town = townWithActors(50);
  const { world, state, ego } = town;
  const triangles = world.scene.staticMesh.triangleCount;
  const cfg = benchCamera();
  const camera = (config, visibility = 'raster') => () => new Camera(config, visibility);
  const shoot = (c, tNs = 0) => c.capture(world, ego, tNs);
  // Built once before timing: the camera's lens tables and the world's chunk bounds.
  shoot(new Camera(cfg));
  const sample = shoot(new Camera(cfg));
  const camShadows = sensorRate(camera(cfg), shoot);
  const camNoShadows = sensorRate(camera({ ...cfg, shadows: false }), shoot);
  // The palette shading (class colours, Lambert): the camera before realistic shading, for before/after in one run.
  const camPalette = sensorRate(camera({ ...cfg, shading: 'palette' }), shoot);
  const camRays = sensorRate(camera({ ...cfg, shadows: false }, 'rays'), shoot);
  const rigFile = join(ROOT, 'sensors', 'full.yaml');
  const fullRig = loadRig(rigFile);
  const lidarConfig = loadRig(join(ROOT, 'sensors', 'default.yaml')).sensors.find((s) => s.type === 'lidar');
  const weather = benchWeather(town, lidarConfig);
  const lidar = sensorRate(() => new Lidar({ ...lidarConfig, motionDistortion: false }, new Random(1)), (l, tNs) => l.capture(world, ego, tNs, state.actors));
  const radars = {};
  for (const preset of Object.keys(RADAR_PRESETS)) {
    const config = fullRig.sensors.find((s) => s.type === 'radar' && s.azimuthFov === RADAR_PRESETS[preset].azimuthFov * DEG);
    radars[preset] = sensorRate(() => new Radar(config, new Random(1)), (r, tNs) => r.capture(world, ego, state, tNs));
  }
  // The whole full.yaml rig plus the camera, stepped 10 ms at a time through the run's sensor
  // pipeline (every sensor fires at its own rate), the sensors mounted once as a run mounts
  // them and the actors moving: a warm-up second, then at least 3 s of wall time; the time
  // counts until the last camera image under way is finished.
  const rig = { file: rigFile, sensors: [...fullRig.sensors, { ...cfg, name: 'bench', parent: 'ego' }] };
  const rigRate = () => {
    const mounted = mountSensors(rig, state.actors, 1);
    const pipeline = new SensorPipeline(mounted);
    let tick = 0;
    const steps = (n) => {
      for (const end = tick + n; tick < end; tick++) {
        const from = stateAt(state, tick), to = stateAt(state, tick + 1);
        let middle;
        pipeline.step({ world, from, to, middle: () => (middle ??= stateAt(state, tick + 0.5)) });
        pipeline.ready();
      }
    };
    steps(100);
    pipeline.settle();
    const start = performance.now(), first = tick;
    while (performance.now() - start < 3000) steps(10);
    pipeline.settle();
    pipeline.ready();
    const simulatedPerWall = ((tick - first) * 0.01) / ((performance.now() - start) / 1000);
    for (const sensor of mounted) sensor.dispose?.();
    return simulatedPerWall;
  };
  // On one thread, and with the scene's casts and the cameras' tiles on a RaycastPool over
  // every core, as `roadcast run` does: in alternation, best of three each, against the shared
  // machine's noise.
  const threads = availableParallelism();
  const pool = await RaycastPool.create(world.scene, { workers: threads - 1 });
  let rigOne = 0, rigPool = 0;
  for (let round = 0; round < 3; round++) {
    world.scene.usePool(undefined);
    rigOne = Math.max(rigOne, rigRate());
    world.scene.usePool(pool);
    rigPool = Math.max(rigPool, rigRate());
  }
  // The camera alone, drawn and shaded in tiles on the pool (TiledRender), against one thread,
  // measured in alternation (best of three each) against the shared machine's noise; and a
  // 1600 x 900 camera the same way. Each camera is kept and warmed, as a run keeps its cameras.
  const fps = steadyCameras(world, ego, pool, { small: cfg, big: benchCamera({ width: 1600, height: 900 }) });
  const cameraRounds = [];
  for (let k = 0; k < 3; k++) {
    cameraRounds.push({ one: fps('small', false, 2000), oneBig: fps('big', false, 2000), tiled: fps('small', true, 2000), tiledBig: fps('big', true, 2000) });
  }
  fps.dispose();
  const bestOf = (key) => Math.max(...cameraRounds.map((x) => x[key]));
  world.scene.usePool(undefined);
  await pool.close();
  return {
    realism,
    weather,
    static_triangles: triangles,
    actors: state.actors.length,
    camera_boxes: sample.fields.box_count,
    camera_fps: camShadows,
    camera_no_shadows_fps: camNoShadows,
    camera_palette_fps: camPalette,
    camera_realistic_vs_palette_cost: camPalette / camShadows,
    camera_rays_fps: camRays,
    camera_raster_vs_rays: camNoShadows / camRays,
    lidar_fps: lidar,
    radar_long_range_fps: radars['long-range'],
    radar_corner_fps: radars.corner,
    full_rig_with_camera_sim_s_per_s: rigOne,
    threads,
    full_rig_with_camera_pool_sim_s_per_s: rigPool,
    full_rig_pool_vs_one_thread: rigPool / rigOne,
    camera_one_thread_fps: bestOf('one'),
    camera_pool_fps: bestOf('tiled'),
    camera_pool_vs_one_thread: bestOf('tiled') / bestOf('one'),
    camera_1600_one_thread_fps: bestOf('oneBig'),
    camera_1600_pool_fps: bestOf('tiledBig'),
    camera_1600_pool_vs_one_thread: bestOf('tiledBig') / bestOf('oneBig'),
  };
}

export function printSensors(r) {
  const m = r.realism;
  console.log('sensors: the town before and after detailed shapes and materials (same run, one core)');
  console.log(`  triangles in the scene (static + placed actor parts)  ${m.triangles_before} -> ${m.triangles_after}   (${(m.triangles_after / m.triangles_before).toFixed(1)}x)`);
  console.log(`  camera 640x360, every output, realistic shading        ${m.camera_before_fps.toFixed(1)} -> ${m.camera_after_fps.toFixed(1)} frames/s   geometry costs ${m.camera_geometry_cost.toFixed(2)}x (at most 2x)`);
  console.log(`  the same, palette shading                              ${m.palette_before_fps.toFixed(1)} -> ${m.palette_after_fps.toFixed(1)} frames/s   geometry costs ${m.palette_geometry_cost.toFixed(2)}x`);
  console.log(`  lidar (default rig)                                    ${(m.lidar_before_rays_per_s / 1e6).toFixed(2)} -> ${(m.lidar_after_rays_per_s / 1e6).toFixed(2)} M rays/s   geometry costs ${m.lidar_geometry_cost.toFixed(2)}x (at most 1.5x)`);
  console.log(`  realistic shading against palette, today's world       ${m.shading_cost.toFixed(2)}x; today's camera against the palette camera on box geometry ${m.camera_vs_old_camera.toFixed(2)}x`);
  printWeather(r.weather);
  console.log(`sensors: bundled town (${r.static_triangles} static triangles, ${r.actors} actors), one core`);
  console.log(`  camera 640x360 rgb+depth+semantic+instance+boxes  ${r.camera_fps.toFixed(1)} frames/s with shadows, ${r.camera_no_shadows_fps.toFixed(1)} without (${r.camera_boxes} actors boxed)`);
  console.log(`  camera, palette shading (before)                  ${r.camera_palette_fps.toFixed(1)} frames/s; realistic costs ${r.camera_realistic_vs_palette_cost.toFixed(2)}x (${(1000 / r.camera_fps).toFixed(1)} vs ${(1000 / r.camera_palette_fps).toFixed(1)} ms/frame)`);
  console.log(`  camera by one ray per pixel (baseline)            ${r.camera_rays_fps.toFixed(2)} frames/s   raster/rays ${r.camera_raster_vs_rays.toFixed(1)}x`);
  console.log(`  lidar (default rig, 32 x 900)                     ${r.lidar_fps.toFixed(1)} frames/s`);
  console.log(`  radar long-range / corner                         ${r.radar_long_range_fps.toFixed(1)} / ${r.radar_corner_fps.toFixed(1)} frames/s`);
  console.log(`  full.yaml rig + camera                            ${r.full_rig_with_camera_sim_s_per_s.toFixed(2)} simulated s per wall s`);
  console.log(`  the same, casting on a pool of ${r.threads} threads          ${r.full_rig_with_camera_pool_sim_s_per_s.toFixed(2)} simulated s per wall s   (${r.full_rig_pool_vs_one_thread.toFixed(2)}x)`);
  console.log(`  camera 640x360 with shadows, tiles on the pool     ${r.camera_pool_fps.toFixed(1)} frames/s vs ${r.camera_one_thread_fps.toFixed(1)} on one thread   (${r.camera_pool_vs_one_thread.toFixed(2)}x on ${r.threads} threads)`);
  console.log(`  camera 1600x900 with shadows, tiles on the pool    ${r.camera_1600_pool_fps.toFixed(2)} frames/s vs ${r.camera_1600_one_thread_fps.toFixed(2)} on one thread   (${r.camera_1600_pool_vs_one_thread.toFixed(2)}x)`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) printSensors(await benchSensors());
