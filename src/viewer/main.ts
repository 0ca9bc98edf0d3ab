/**
 * roadcast's browser viewer: the static scene (`/map.glb`), actors as boxes with labels, each
 * LiDAR as a point cloud, radar detections with velocity arrows, camera images in panels, and
 * a side panel with topics, rates, simulation time, dropped frames, events and run controls.
 *
 * Frames arrive in a worker (stream.worker.ts) that decodes them off the main thread. The page
 * keeps only the newest frame per topic and applies it at the next animation frame, writing
 * into buffers that grow but are never reallocated per frame, so a slow page skips frames
 * (counted) instead of falling behind.
 */
import * as THREE from 'three';
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';
import { GLTFLoader } from 'three/examples/jsm/loaders/GLTFLoader.js';
import { CSS2DObject, CSS2DRenderer } from 'three/examples/jsm/renderers/CSS2DRenderer.js';
import { updateCamera } from './cameraPanels.js';
import { SEMANTIC, semanticTable, TURBO_GLSL } from './colors.js';
import type { EventsFrame, GroundTruthFrame, LidarFrame, Pose, RadarFrame, ServerMessage, ViewerFrame, WorkerMessage } from './protocol.js';

// The world is ENU with z up (DESIGN.md); OrbitControls orbits around the camera's up.
THREE.Object3D.DEFAULT_UP.set(0, 0, 1);

const BACKGROUND = 0x11161c;
const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

// ---------------------------------------------------------------------------------------------
// Scene

const container = $('view');
const renderer = new THREE.WebGLRenderer({ antialias: true });
renderer.setPixelRatio(Math.min(window.devicePixelRatio, 2));
renderer.setClearColor(BACKGROUND, 1);
container.appendChild(renderer.domElement);
const labels = new CSS2DRenderer();
labels.domElement.style.position = 'absolute';
labels.domElement.style.top = '0';
labels.domElement.style.pointerEvents = 'none';
container.appendChild(labels.domElement);

const scene = new THREE.Scene();
scene.background = new THREE.Color(BACKGROUND);
scene.add(new THREE.HemisphereLight(0xdde8ff, 0x404030, 1.6));
const sun = new THREE.DirectionalLight(0xffffff, 1.6);
sun.position.set(-60, -40, 100);
scene.add(sun);
const grid = new THREE.GridHelper(400, 40, 0x2a3440, 0x1e262e);
grid.rotation.x = Math.PI / 2; // GridHelper lies in x-z; ours is the x-y ground plane
grid.position.z = -0.05;
scene.add(grid);

const camera = new THREE.PerspectiveCamera(55, 1, 0.1, 3000);
camera.position.set(-22, -14, 16);
const controls = new OrbitControls(camera, renderer.domElement);
controls.target.set(0, 0, 0);
controls.enableDamping = false;
controls.update();

function resize(): void {
  const width = container.clientWidth || 1;
  const height = container.clientHeight || 1;
  renderer.setSize(width, height, false);
  renderer.domElement.style.width = `${width}px`;
  renderer.domElement.style.height = `${height}px`;
  labels.setSize(width, height);
  camera.aspect = width / height;
  camera.updateProjectionMatrix();
}
window.addEventListener('resize', resize);
resize();

const token = new URLSearchParams(location.search).get('token');
const withToken = (path: string): string => (token ? `${path}${path.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}` : path);

// The static scene: binary glTF is y up, so it is turned back to z up.
let mapLoaded = false;
new GLTFLoader().load(withToken('map.glb'), (gltf) => {
  const root = new THREE.Group();
  root.rotation.x = Math.PI / 2;
  root.add(gltf.scene);
  scene.add(root);
  mapLoaded = true;
  grid.visible = false;
}, undefined, () => {
  // No map on this server (or not yet built): the grid stays.
});

// ---------------------------------------------------------------------------------------------
// Point clouds: one THREE.Points per LiDAR topic, coloured on the GPU.

type ColorMode = 'intensity' | 'height' | 'semantic';
const COLOR_MODES: Record<ColorMode, number> = { intensity: 0, height: 1, semantic: 2 };
let colorMode: ColorMode = 'intensity';

const classTexture = new THREE.DataTexture(semanticTable(), 256, 1, THREE.RGBAFormat);
classTexture.colorSpace = THREE.SRGBColorSpace;
classTexture.needsUpdate = true;

const pointVertex = `
attribute float intensity;
attribute float semantic;
uniform float mode;
uniform float zLow;
uniform float zHigh;
uniform float size;
uniform sampler2D classes;
varying vec3 vColor;
${TURBO_GLSL}
void main() {
  vec4 world = modelMatrix * vec4(position, 1.0);
  if (mode < 0.5) {
    vColor = turbo(0.1 + 0.9 * sqrt(clamp(intensity, 0.0, 1.0)));
  } else if (mode < 1.5) {
    vColor = turbo((world.z - zLow) / (zHigh - zLow));
  } else {
    vColor = texture2D(classes, vec2((semantic + 0.5) / 256.0, 0.5)).rgb;
  }
  gl_Position = projectionMatrix * viewMatrix * world;
  gl_PointSize = size;
}`;
const pointFragment = `
varying vec3 vColor;
void main() { gl_FragColor = vec4(vColor, 1.0); }`;

class Cloud {
  readonly object: THREE.Points;
  readonly material: THREE.ShaderMaterial;
  #geometry = new THREE.BufferGeometry();
  #points: THREE.InterleavedBuffer;
  #semantic: THREE.BufferAttribute;
  #capacity = 0;
  hasSemantic = false;

  constructor() {
    this.material = new THREE.ShaderMaterial({
      vertexShader: pointVertex,
      fragmentShader: pointFragment,
      uniforms: { mode: { value: 0 }, zLow: { value: -1 }, zHigh: { value: 4 }, size: { value: 2 * renderer.getPixelRatio() }, classes: { value: classTexture } },
    });
    this.#points = new THREE.InterleavedBuffer(new Float32Array(0), 4);
    this.#semantic = new THREE.BufferAttribute(new Uint8Array(0), 1);
    this.#allocate(1 << 16);
    this.object = new THREE.Points(this.#geometry, this.material);
    this.object.frustumCulled = false;
  }

  /** Grows the buffers (to a power of two) only when a frame has more points than ever before. */
  #allocate(capacity: number): void {
    this.#capacity = capacity;
    this.#points = new THREE.InterleavedBuffer(new Float32Array(capacity * 4), 4);
    this.#points.setUsage(THREE.DynamicDrawUsage);
    this.#semantic = new THREE.BufferAttribute(new Uint8Array(capacity), 1);
    this.#semantic.setUsage(THREE.DynamicDrawUsage);
    this.#geometry.dispose();
    this.#geometry.setAttribute('position', new THREE.InterleavedBufferAttribute(this.#points, 3, 0));
    this.#geometry.setAttribute('intensity', new THREE.InterleavedBufferAttribute(this.#points, 1, 3));
    this.#geometry.setAttribute('semantic', this.#semantic);
  }

  update(frame: LidarFrame): void {
    if (frame.count > this.#capacity) this.#allocate(2 ** Math.ceil(Math.log2(frame.count)));
    this.#points.array.set(frame.points);
    this.#points.clearUpdateRanges();
    this.#points.addUpdateRange(0, frame.count * 4);
    this.#points.needsUpdate = true;
    if (frame.semantic) {
      this.hasSemantic = true;
      (this.#semantic.array as Uint8Array).set(frame.semantic);
      this.#semantic.clearUpdateRanges();
      this.#semantic.addUpdateRange(0, frame.count);
      this.#semantic.needsUpdate = true;
    }
    this.#geometry.setDrawRange(0, frame.count);
    placeAt(this.object, frame.pose);
    // Height colours span from just under the road to a few metres above the roof.
    this.material.uniforms.zLow.value = frame.pose.p[2] - 2.3;
    this.material.uniforms.zHigh.value = frame.pose.p[2] + 2.5;
    this.material.uniforms.mode.value = COLOR_MODES[colorMode === 'semantic' && !this.hasSemantic ? 'intensity' : colorMode];
  }
}

function placeAt(object: THREE.Object3D, pose: Pose): void {
  object.position.set(pose.p[0], pose.p[1], pose.p[2]);
  object.quaternion.set(pose.q[0], pose.q[1], pose.q[2], pose.q[3]);
}

// ---------------------------------------------------------------------------------------------
// Radar: detections as points, radial velocity as an arrow along the line of sight.

class RadarView {
  readonly object = new THREE.Group();
  #positions = new THREE.BufferAttribute(new Float32Array(0), 3);
  #colors = new THREE.BufferAttribute(new Float32Array(0), 3);
  #lines = new THREE.BufferAttribute(new Float32Array(0), 3);
  #lineColors = new THREE.BufferAttribute(new Float32Array(0), 3);
  #pointGeometry = new THREE.BufferGeometry();
  #lineGeometry = new THREE.BufferGeometry();
  #capacity = 0;

  constructor() {
    const points = new THREE.Points(this.#pointGeometry, new THREE.PointsMaterial({ size: 7, sizeAttenuation: false, vertexColors: true }));
    const arrows = new THREE.LineSegments(this.#lineGeometry, new THREE.LineBasicMaterial({ vertexColors: true }));
    points.frustumCulled = arrows.frustumCulled = false;
    this.object.add(points, arrows);
    this.#allocate(256);
  }

  #allocate(capacity: number): void {
    this.#capacity = capacity;
    this.#positions = new THREE.BufferAttribute(new Float32Array(capacity * 3), 3).setUsage(THREE.DynamicDrawUsage);
    this.#colors = new THREE.BufferAttribute(new Float32Array(capacity * 3), 3).setUsage(THREE.DynamicDrawUsage);
    this.#lines = new THREE.BufferAttribute(new Float32Array(capacity * 6), 3).setUsage(THREE.DynamicDrawUsage);
    this.#lineColors = new THREE.BufferAttribute(new Float32Array(capacity * 6), 3).setUsage(THREE.DynamicDrawUsage);
    this.#pointGeometry.setAttribute('position', this.#positions);
    this.#pointGeometry.setAttribute('color', this.#colors);
    this.#lineGeometry.setAttribute('position', this.#lines);
    this.#lineGeometry.setAttribute('color', this.#lineColors);
  }

  update(frame: RadarFrame): void {
    if (frame.count > this.#capacity) this.#allocate(2 ** Math.ceil(Math.log2(frame.count)));
    const p = this.#positions.array as Float32Array;
    const c = this.#colors.array as Float32Array;
    const l = this.#lines.array as Float32Array;
    const lc = this.#lineColors.array as Float32Array;
    for (let i = 0; i < frame.count; i++) {
      const x = frame.xyz[i * 3], y = frame.xyz[i * 3 + 1], z = frame.xyz[i * 3 + 2];
      const v = frame.velocity[i];
      const range = Math.hypot(x, y, z) || 1;
      // Closing (negative range rate) is red, opening is blue; the arrow is 0.5 s of motion.
      const color = v < -0.2 ? [1, 0.25, 0.2] : v > 0.2 ? [0.3, 0.6, 1] : [1, 1, 0.4];
      p.set([x, y, z], i * 3);
      c.set(color, i * 3);
      const k = (0.5 * v) / range;
      l.set([x, y, z, x + x * k, y + y * k, z + z * k], i * 6);
      lc.set([...color, ...color], i * 6);
    }
    for (const attribute of [this.#positions, this.#colors, this.#lines, this.#lineColors]) attribute.needsUpdate = true;
    this.#pointGeometry.setDrawRange(0, frame.count);
    this.#lineGeometry.setDrawRange(0, frame.count * 2);
    placeAt(this.object, frame.pose);
  }
}

// ---------------------------------------------------------------------------------------------
// Actors: a translucent box with edges and a label each, kept by actor id.

const unitBox = new THREE.BoxGeometry(1, 1, 1);
const unitEdges = new THREE.EdgesGeometry(unitBox);
interface ActorView {
  group: THREE.Group;
  fill: THREE.Mesh<THREE.BoxGeometry, THREE.MeshStandardMaterial>;
  label: CSS2DObject;
}
const actors = new Map<string, ActorView>();
const egoPosition = new THREE.Vector3();
let egoKnown = false;

function classColor(cls: number): THREE.Color {
  const [r, g, b] = SEMANTIC[cls]?.color ?? [200, 200, 200];
  return new THREE.Color().setRGB(r / 255, g / 255, b / 255, THREE.SRGBColorSpace);
}

function updateActors(frame: GroundTruthFrame): void {
  const seen = new Set<string>();
  for (let i = 0; i < frame.count; i++) {
    const id = frame.ids[i] ?? String(i);
    seen.add(id);
    const b = frame.boxes.subarray(i * 10, i * 10 + 10);
    const isEgo = id === frame.ego;
    let view = actors.get(id);
    if (!view) {
      const color = isEgo ? new THREE.Color(0x33cc55) : classColor(frame.classes[i]);
      const fill = new THREE.Mesh(unitBox, new THREE.MeshStandardMaterial({ color, transparent: true, opacity: 0.45, depthWrite: false }));
      const edges = new THREE.LineSegments(unitEdges, new THREE.LineBasicMaterial({ color: isEgo ? 0x66ff88 : color.clone().lerp(new THREE.Color(0xffffff), 0.5) }));
      const element = document.createElement('div');
      element.className = isEgo ? 'label ego' : 'label';
      element.textContent = `${id} · ${frame.kinds[i] ?? SEMANTIC[frame.classes[i]]?.name ?? 'actor'}`;
      const label = new CSS2DObject(element);
      const group = new THREE.Group();
      group.add(fill, edges);
      scene.add(group, label);
      view = { group, fill, label };
      actors.set(id, view);
    }
    view.group.position.set(b[0], b[1], b[2]);
    view.group.quaternion.set(b[3], b[4], b[5], b[6]);
    view.group.scale.set(b[7], b[8], b[9]);
    view.label.position.set(b[0], b[1], b[2] + b[9] / 2 + 0.6);
    if (isEgo) moveEgo(b[0], b[1], b[2], yawOf(b[3], b[4], b[5], b[6]));
  }
  for (const [id, view] of actors) {
    if (seen.has(id)) continue;
    scene.remove(view.group, view.label);
    view.label.element.remove();
    (view.fill.material as THREE.Material).dispose();
    actors.delete(id);
  }
}

function yawOf(x: number, y: number, z: number, w: number): number {
  return Math.atan2(2 * (w * z + x * y), 1 - 2 * (y * y + z * z));
}

/**
 * The orbit camera follows the ego: target and camera move with it, keeping the user's view.
 * It starts behind the ego and above it, looking along its heading (over the road, where no
 * building stands in the way).
 */
function moveEgo(x: number, y: number, z: number, yaw: number): void {
  if (!egoKnown) {
    egoKnown = true;
    egoPosition.set(x, y, z);
    const ahead = new THREE.Vector3(Math.cos(yaw), Math.sin(yaw), 0);
    controls.target.set(x, y, z).addScaledVector(ahead, 8);
    camera.position.set(x, y, z + 13).addScaledVector(ahead, -16);
    controls.update();
    return;
  }
  if (($('follow') as HTMLInputElement).checked) {
    const delta = new THREE.Vector3(x, y, z).sub(egoPosition);
    camera.position.add(delta);
    controls.target.add(delta);
  }
  egoPosition.set(x, y, z);
}

// ---------------------------------------------------------------------------------------------
// Side panel state

interface TopicStats {
  kind: string;
  count: number;
  /** Wall-clock arrival times (ms) of the last few seconds' frames. */
  arrivals: number[];
  row: HTMLTableRowElement;
}
const topics = new Map<string, TopicStats>();
const clouds = new Map<string, Cloud>();
const radars = new Map<string, RadarView>();
const pending = new Map<string, ViewerFrame>();
let received = 0;
let skipped = 0;
let dropped = 0;
let simTimeNs = -1;
let paused = false;
let connected = false;
let lastError = '';

function noteTopic(topic: string, kind: string): TopicStats {
  let stats = topics.get(topic);
  if (!stats) {
    const row = document.createElement('tr');
    row.dataset.topic = topic;
    row.innerHTML = '<td></td><td></td><td></td><td></td>';
    row.cells[0].textContent = topic;
    row.cells[1].textContent = kind;
    const body = ($('topics') as HTMLTableElement).tBodies[0];
    const after = [...body.rows].find((r) => (r.dataset.topic ?? '') > topic);
    body.insertBefore(row, after ?? null);
    stats = { kind, count: 0, arrivals: [], row };
    topics.set(topic, stats);
  }
  if (kind && stats.kind === '') {
    stats.kind = kind;
    stats.row.cells[1].textContent = kind;
  }
  return stats;
}

function addEvents(frame: EventsFrame): void {
  const list = $('events');
  for (const text of frame.events) {
    let type = 'event';
    let detail = text;
    try {
      const event = JSON.parse(text) as Record<string, unknown>;
      type = String(event.type ?? 'event');
      const rest = Object.entries(event).filter(([key]) => key !== 'type' && key !== 't_ns');
      detail = rest.map(([key, value]) => `${key}: ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`).join(', ');
    } catch {
      // Shown as it came.
    }
    const item = document.createElement('li');
    item.className = type;
    item.textContent = `${(frame.t_ns / 1e9).toFixed(2)} s  ${type}  ${detail}`;
    list.prepend(item);
  }
  while (list.children.length > 200) list.lastElementChild!.remove();
}

function onServerMessage(message: ServerMessage): void {
  const reply = $('control-reply');
  switch (message.type) {
    case 'hello':
      for (const topic of message.topics) noteTopic(topic, '');
      reply.textContent = `roadcast ${message.version}`;
      break;
    case 'stats':
      dropped = message.dropped;
      break;
    case 'ack':
      if (message.request === 'pause' || message.request === 'step') paused = true;
      if (message.request === 'resume') paused = false;
      reply.textContent = `${message.request}: ok`;
      break;
    case 'error':
      reply.textContent = `${typeof message.request === 'string' ? message.request : 'error'}: ${message.message}`;
      break;
  }
}

// ---------------------------------------------------------------------------------------------
// The stream

const worker = new Worker(new URL('./stream.worker.ts', import.meta.url), { type: 'module' });
worker.onmessage = (event: MessageEvent<WorkerMessage>) => {
  const message = event.data;
  switch (message.type) {
    case 'status':
      connected = message.connected;
      $('connection').textContent = message.detail;
      $('connection').dataset.connected = String(message.connected);
      if (message.connected) {
        // A new connection is a new session: start the counts afresh for what it sends.
        dropped = 0;
      }
      break;
    case 'server':
      onServerMessage(message.message);
      break;
    case 'bad-frame':
      lastError = message.error;
      $('control-reply').textContent = `bad frame: ${message.error}`;
      break;
    case 'frame': {
      const frame = message.frame;
      received++;
      simTimeNs = Math.max(simTimeNs, frame.t_ns);
      const stats = noteTopic(frame.topic, frame.kind);
      stats.count++;
      stats.arrivals.push(performance.now());
      if (frame.kind === 'events') {
        addEvents(frame as EventsFrame);
      } else if (frame.kind === 'lidar' || frame.kind === 'radar' || frame.kind === 'ground_truth' || frame.kind === 'camera') {
        // Only the newest frame of a topic is drawn; one replaced before it was drawn is skipped.
        if (pending.has(frame.topic)) skipped++;
        pending.set(frame.topic, frame as ViewerFrame);
      }
      break;
    }
  }
};
const wsUrl = new URL(withToken(''), location.href);
wsUrl.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
worker.postMessage({ type: 'connect', url: wsUrl.href });

function send(message: object): void {
  worker.postMessage({ type: 'send', message });
}
$('pause').addEventListener('click', () => send({ type: 'pause' }));
$('resume').addEventListener('click', () => send({ type: 'resume' }));
$('step').addEventListener('click', () => send({ type: 'step', ticks: 10 }));
const colorSelect = $('color-mode') as HTMLSelectElement;
colorSelect.addEventListener('change', () => {
  colorMode = colorSelect.value as ColorMode;
});

function applyPending(): void {
  for (const frame of pending.values()) {
    switch (frame.kind) {
      case 'lidar': {
        let cloud = clouds.get(frame.topic);
        if (!cloud) {
          cloud = new Cloud();
          clouds.set(frame.topic, cloud);
          scene.add(cloud.object);
        }
        cloud.update(frame);
        if (!egoKnown) moveEgo(frame.pose.p[0], frame.pose.p[1], frame.pose.p[2] - 1.9, yawOf(...frame.pose.q));
        break;
      }
      case 'radar': {
        let view = radars.get(frame.topic);
        if (!view) {
          view = new RadarView();
          radars.set(frame.topic, view);
          scene.add(view.object);
        }
        view.update(frame);
        break;
      }
      case 'ground_truth':
        updateActors(frame);
        break;
      case 'camera':
        updateCamera($('cameras'), frame);
        break;
    }
  }
  pending.clear();
  for (const cloud of clouds.values()) {
    cloud.material.uniforms.mode.value = COLOR_MODES[colorMode === 'semantic' && !cloud.hasSemantic ? 'intensity' : colorMode];
  }
}

let lastPanelUpdate = 0;
function updatePanel(now: number): void {
  if (now - lastPanelUpdate < 250) return;
  lastPanelUpdate = now;
  const time = $('sim-time');
  time.textContent = simTimeNs < 0 ? '–' : (simTimeNs / 1e9).toFixed(2);
  time.dataset.tNs = String(simTimeNs);
  $('paused-badge').dataset.paused = String(paused);
  const count = (id: string, n: number): void => {
    $(id).textContent = String(n);
    $(id).dataset.count = String(n);
  };
  count('frames-received', received);
  count('frames-dropped', dropped);
  count('frames-skipped', skipped);
  let drawn = 0;
  for (const cloud of clouds.values()) drawn += cloud.object.geometry.drawRange.count;
  $('points-drawn').textContent = drawn.toLocaleString('en');
  const semantic = colorSelect.querySelector<HTMLOptionElement>('option[value="semantic"]')!;
  semantic.disabled = ![...clouds.values()].some((c) => c.hasSemantic);
  for (const stats of topics.values()) {
    while (stats.arrivals.length > 0 && now - stats.arrivals[0] > 2000) stats.arrivals.shift();
    const n = stats.arrivals.length;
    const hz = n > 1 ? ((n - 1) * 1000) / (stats.arrivals[n - 1] - stats.arrivals[0] || 1) : 0;
    stats.row.cells[2].textContent = hz.toFixed(1);
    stats.row.cells[3].textContent = String(stats.count);
  }
}

function animate(now: number): void {
  applyPending();
  controls.update();
  renderer.render(scene, camera);
  labels.render(scene, camera);
  updatePanel(now);
  requestAnimationFrame(animate);
}
requestAnimationFrame(animate);

// ---------------------------------------------------------------------------------------------
// For tests and scripts: the page's state, and whether the canvas shows anything.

declare global {
  interface Window {
    roadcastViewer: {
      state(): { connected: boolean; received: number; skipped: number; dropped: number; simTimeNs: number; paused: boolean; mapLoaded: boolean; topics: Record<string, { kind: string; count: number }>; actors: string[]; points: Record<string, number>; lastError: string };
      /** Renders now and counts the pixels that differ from the background colour. */
      pixelStats(): { width: number; height: number; differing: number };
      setColorMode(mode: ColorMode): void;
    };
  }
}

window.roadcastViewer = {
  state: () => ({
    connected,
    received,
    skipped,
    dropped,
    simTimeNs,
    paused,
    mapLoaded,
    topics: Object.fromEntries([...topics].map(([topic, s]) => [topic, { kind: s.kind, count: s.count }])),
    actors: [...actors.keys()],
    points: Object.fromEntries([...clouds].map(([topic, c]) => [topic, c.object.geometry.drawRange.count])),
    lastError,
  }),
  pixelStats: () => {
    renderer.render(scene, camera);
    const gl = renderer.getContext();
    const width = gl.drawingBufferWidth;
    const height = gl.drawingBufferHeight;
    const pixels = new Uint8Array(width * height * 4);
    gl.readPixels(0, 0, width, height, gl.RGBA, gl.UNSIGNED_BYTE, pixels);
    const bg = new THREE.Color(BACKGROUND);
    const [r, g, b] = [bg.r, bg.g, bg.b].map((c) => Math.round(c * 255));
    let differing = 0;
    for (let i = 0; i < pixels.length; i += 4) {
      if (Math.abs(pixels[i] - r) + Math.abs(pixels[i + 1] - g) + Math.abs(pixels[i + 2] - b) > 24) differing++;
    }
    return { width, height, differing };
  },
  setColorMode: (mode) => {
    colorMode = mode;
    colorSelect.value = mode;
  },
};
