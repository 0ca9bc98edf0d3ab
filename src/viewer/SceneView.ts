/**
 * The 3D view: the static scene (`/map.glb`), each LiDAR as a point cloud, radar detections,
 * actors as labelled boxes, the signals' states (SignalView.ts), and an orbit camera that follows the ego. Needs WebGL: create()
 * throws when the browser cannot give it, and the page then goes on without a 3D view.
 */
import * as THREE from 'three';
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';
import { GLTFLoader } from 'three/examples/jsm/loaders/GLTFLoader.js';
import { CSS2DObject, CSS2DRenderer } from 'three/examples/jsm/renderers/CSS2DRenderer.js';
import { SEMANTIC } from './colors.js';
import { PointCloud, type ColorMode } from './PointCloud.js';
import { RadarView } from './RadarView.js';
import { SignalView, type SignalInfo } from './SignalView.js';
import type { GroundTruthFrame, LidarFrame, RadarFrame, SignalsFrame } from './protocol.js';

// The world is ENU with z up (DESIGN.md); OrbitControls orbits around the camera's up.
THREE.Object3D.DEFAULT_UP.set(0, 0, 1);

const BACKGROUND = 0x11161c;

interface ActorView {
  group: THREE.Group;
  fill: THREE.Mesh<THREE.BoxGeometry, THREE.MeshStandardMaterial>;
  label: CSS2DObject;
}

const unitBox = new THREE.BoxGeometry(1, 1, 1);
const unitEdges = new THREE.EdgesGeometry(unitBox);

function yawOf(x: number, y: number, z: number, w: number): number {
  return Math.atan2(2 * (w * z + x * y), 1 - 2 * (y * y + z * z));
}

function classColor(cls: number): THREE.Color {
  const [r, g, b] = SEMANTIC[cls]?.color ?? [200, 200, 200];
  return new THREE.Color().setRGB(r / 255, g / 255, b / 255, THREE.SRGBColorSpace);
}

export class SceneView {
  mapLoaded = false;
  #colorMode: ColorMode = 'intensity';
  readonly #renderer: THREE.WebGLRenderer;
  readonly #labels = new CSS2DRenderer();
  readonly #scene = new THREE.Scene();
  readonly #camera = new THREE.PerspectiveCamera(55, 1, 0.1, 3000);
  readonly #controls: OrbitControls;
  readonly #grid = new THREE.GridHelper(400, 40, 0x2a3440, 0x1e262e);
  readonly #clouds = new Map<string, PointCloud>();
  readonly #radars = new Map<string, RadarView>();
  readonly #actors = new Map<string, ActorView>();
  readonly #signals = new SignalView();
  readonly #egoPosition = new THREE.Vector3();
  #egoKnown = false;

  /** Throws when WebGL cannot start (no GPU and no software fallback, or it is switched off). */
  constructor(private readonly container: HTMLElement, mapUrl: string, private readonly follow: () => boolean) {
    this.#renderer = new THREE.WebGLRenderer({ antialias: true });
    this.#renderer.setPixelRatio(Math.min(window.devicePixelRatio, 2));
    this.#renderer.setClearColor(BACKGROUND, 1);
    container.appendChild(this.#renderer.domElement);
    this.#labels.domElement.style.position = 'absolute';
    this.#labels.domElement.style.top = '0';
    this.#labels.domElement.style.pointerEvents = 'none';
    container.appendChild(this.#labels.domElement);

    const scene = this.#scene;
    scene.background = new THREE.Color(BACKGROUND);
    scene.add(new THREE.HemisphereLight(0xdde8ff, 0x404030, 1.6));
    const sun = new THREE.DirectionalLight(0xffffff, 1.6);
    sun.position.set(-60, -40, 100);
    scene.add(sun);
    this.#grid.rotation.x = Math.PI / 2; // GridHelper lies in x-z; ours is the x-y ground plane
    this.#grid.position.z = -0.05;
    scene.add(this.#grid);
    scene.add(this.#signals.object);

    this.#camera.position.set(-22, -14, 16);
    this.#controls = new OrbitControls(this.#camera, this.#renderer.domElement);
    this.#controls.target.set(0, 0, 0);
    this.#controls.enableDamping = false;
    this.#controls.update();
    window.addEventListener('resize', () => this.#resize());
    this.#resize();

    // The static scene: binary glTF is y up, so it is turned back to z up.
    new GLTFLoader().load(mapUrl, (gltf) => {
      const root = new THREE.Group();
      root.rotation.x = Math.PI / 2;
      root.add(gltf.scene);
      scene.add(root);
      this.mapLoaded = true;
      this.#grid.visible = false;
    }, undefined, () => {
      // No map on this server (or not yet built): the grid stays.
    });
  }

  #resize(): void {
    const width = this.container.clientWidth || 1;
    const height = this.container.clientHeight || 1;
    this.#renderer.setSize(width, height, false);
    this.#renderer.domElement.style.width = `${width}px`;
    this.#renderer.domElement.style.height = `${height}px`;
    this.#labels.setSize(width, height);
    this.#camera.aspect = width / height;
    this.#camera.updateProjectionMatrix();
  }

  get colorMode(): ColorMode {
    return this.#colorMode;
  }

  set colorMode(mode: ColorMode) {
    this.#colorMode = mode;
    for (const cloud of this.#clouds.values()) cloud.setColorMode(mode);
  }

  /** Whether any cloud carries per-point classes (semantic colouring is then offered). */
  get hasSemantic(): boolean {
    return [...this.#clouds.values()].some((c) => c.hasSemantic);
  }

  /** Points drawn per LiDAR topic. */
  points(): Record<string, number> {
    return Object.fromEntries([...this.#clouds].map(([topic, cloud]) => [topic, cloud.count]));
  }

  actorIds(): string[] {
    return [...this.#actors.keys()];
  }

  lidar(frame: LidarFrame): void {
    let cloud = this.#clouds.get(frame.topic);
    if (!cloud) {
      cloud = new PointCloud(this.#renderer.getPixelRatio());
      this.#clouds.set(frame.topic, cloud);
      this.#scene.add(cloud.object);
    }
    cloud.update(frame, this.#colorMode);
    if (!this.#egoKnown) this.#moveEgo(frame.pose.p[0], frame.pose.p[1], frame.pose.p[2] - 1.9, yawOf(...frame.pose.q));
  }

  radar(frame: RadarFrame): void {
    let view = this.#radars.get(frame.topic);
    if (!view) {
      view = new RadarView();
      this.#radars.set(frame.topic, view);
      this.#scene.add(view.object);
    }
    view.update(frame);
  }

  /** Actors: a translucent box with edges and a label each, kept by actor id. */
  groundTruth(frame: GroundTruthFrame): void {
    const seen = new Set<string>();
    for (let i = 0; i < frame.count; i++) {
      const id = frame.ids[i] ?? String(i);
      seen.add(id);
      const b = frame.boxes.subarray(i * 10, i * 10 + 10);
      const isEgo = id === frame.ego;
      let view = this.#actors.get(id);
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
        this.#scene.add(group, label);
        view = { group, fill, label };
        this.#actors.set(id, view);
      }
      view.group.position.set(b[0], b[1], b[2]);
      view.group.quaternion.set(b[3], b[4], b[5], b[6]);
      view.group.scale.set(b[7], b[8], b[9]);
      view.label.position.set(b[0], b[1], b[2] + b[9] / 2 + 0.6);
      if (isEgo) this.#moveEgo(b[0], b[1], b[2], yawOf(b[3], b[4], b[5], b[6]));
    }
    for (const [id, view] of this.#actors) {
      if (seen.has(id)) continue;
      this.#scene.remove(view.group, view.label);
      view.label.element.remove();
      view.fill.material.dispose();
      this.#actors.delete(id);
    }
  }

  /** The signals: lamps in their states' colours, sign plates. */
  signals(frame: SignalsFrame): void {
    this.#signals.update(frame);
  }

  get signalsVisible(): boolean {
    return this.#signals.object.visible;
  }

  set signalsVisible(visible: boolean) {
    this.#signals.object.visible = visible;
  }

  signalInfo(): SignalInfo[] {
    return this.#signals.info();
  }

  /**
   * The orbit camera follows the ego: target and camera move with it, keeping the user's view.
   * It starts behind the ego and above it, looking along its heading (over the road, where no
   * building stands in the way).
   */
  #moveEgo(x: number, y: number, z: number, yaw: number): void {
    if (!this.#egoKnown) {
      this.#egoKnown = true;
      this.#egoPosition.set(x, y, z);
      const ahead = new THREE.Vector3(Math.cos(yaw), Math.sin(yaw), 0);
      this.#controls.target.set(x, y, z).addScaledVector(ahead, 8);
      this.#camera.position.set(x, y, z + 13).addScaledVector(ahead, -16);
      this.#controls.update();
      return;
    }
    if (this.follow()) {
      const delta = new THREE.Vector3(x, y, z).sub(this.#egoPosition);
      this.#camera.position.add(delta);
      this.#controls.target.add(delta);
    }
    this.#egoPosition.set(x, y, z);
  }

  render(): void {
    this.#controls.update();
    this.#renderer.render(this.#scene, this.#camera);
    this.#labels.render(this.#scene, this.#camera);
  }

  /** Renders now and counts the pixels that differ from the background colour. */
  pixelStats(): { width: number; height: number; differing: number } {
    this.#renderer.render(this.#scene, this.#camera);
    const gl = this.#renderer.getContext();
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
  }
}
