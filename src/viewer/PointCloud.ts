/**
 * A LiDAR topic as a THREE.Points, coloured on the GPU by intensity, height or semantic class.
 * Its buffers grow (to a power of two) only when a frame has more points than ever before and
 * are otherwise rewritten in place, so a steady stream allocates nothing per frame.
 */
import * as THREE from 'three';
import { semanticTable, TURBO_GLSL } from './colors.js';
import type { LidarFrame, Pose } from './protocol.js';

export type ColorMode = 'intensity' | 'height' | 'semantic';
const COLOR_MODES: Record<ColorMode, number> = { intensity: 0, height: 1, semantic: 2 };

let classTexture: THREE.DataTexture | undefined;
function classes(): THREE.DataTexture {
  if (!classTexture) {
    classTexture = new THREE.DataTexture(semanticTable(), 256, 1, THREE.RGBAFormat);
    classTexture.colorSpace = THREE.SRGBColorSpace;
    classTexture.needsUpdate = true;
  }
  return classTexture;
}

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

export function placeAt(object: THREE.Object3D, pose: Pose): void {
  object.position.set(pose.p[0], pose.p[1], pose.p[2]);
  object.quaternion.set(pose.q[0], pose.q[1], pose.q[2], pose.q[3]);
}

export class PointCloud {
  readonly object: THREE.Points;
  readonly material: THREE.ShaderMaterial;
  #geometry = new THREE.BufferGeometry();
  #points: THREE.InterleavedBuffer;
  #semantic: THREE.BufferAttribute;
  #capacity = 0;
  hasSemantic = false;

  constructor(pixelRatio: number) {
    this.material = new THREE.ShaderMaterial({
      vertexShader: pointVertex,
      fragmentShader: pointFragment,
      uniforms: { mode: { value: 0 }, zLow: { value: -1 }, zHigh: { value: 4 }, size: { value: 2 * pixelRatio }, classes: { value: classes() } },
    });
    this.#points = new THREE.InterleavedBuffer(new Float32Array(0), 4);
    this.#semantic = new THREE.BufferAttribute(new Uint8Array(0), 1);
    this.#allocate(1 << 16);
    this.object = new THREE.Points(this.#geometry, this.material);
    this.object.frustumCulled = false;
  }

  /** Points drawn (of the last frame). */
  get count(): number {
    return this.#geometry.drawRange.count;
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

  /** Semantic colours fall back to intensity for a cloud without per-point classes. */
  setColorMode(mode: ColorMode): void {
    this.material.uniforms.mode.value = COLOR_MODES[mode === 'semantic' && !this.hasSemantic ? 'intensity' : mode];
  }

  update(frame: LidarFrame, mode: ColorMode): void {
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
    this.setColorMode(mode);
  }
}
