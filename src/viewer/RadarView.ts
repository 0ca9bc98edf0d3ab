/** A radar topic: detections as points, radial velocity as an arrow along the line of sight. */
import * as THREE from 'three';
import { placeAt } from './PointCloud.js';
import type { RadarFrame } from './protocol.js';

export class RadarView {
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
