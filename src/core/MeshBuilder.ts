import { BufferAttribute, BufferGeometry } from 'three';

/**
 * Accumulates a triangle soup with one semantic class per triangle, and hands it out as a
 * three.js BufferGeometry (attribute `position`, and `semantic` per vertex, equal on a
 * triangle's three vertices) or as the flat arrays the raycaster builds from.
 */
export class MeshBuilder {
  private positions: number[] = [];
  private classes: number[] = [];

  get triangleCount(): number {
    return this.classes.length;
  }

  triangle(a: ArrayLike<number>, b: ArrayLike<number>, c: ArrayLike<number>, cls: number): void {
    this.positions.push(a[0], a[1], a[2], b[0], b[1], b[2], c[0], c[1], c[2]);
    this.classes.push(cls);
  }

  /** A quad p0 p1 p2 p3 in order around its edge, as two triangles. */
  quad(p0: ArrayLike<number>, p1: ArrayLike<number>, p2: ArrayLike<number>, p3: ArrayLike<number>, cls: number): void {
    this.triangle(p0, p1, p2, cls);
    this.triangle(p0, p2, p3, cls);
  }

  /**
   * A closed box, given by its centre, size (x length, y width, z height) and yaw about z.
   */
  box(center: readonly [number, number, number], size: readonly [number, number, number], yaw: number, cls: number): void {
    const [hx, hy, hz] = [size[0] / 2, size[1] / 2, size[2] / 2];
    const c = Math.cos(yaw);
    const s = Math.sin(yaw);
    const corner = (sx: number, sy: number, sz: number): number[] => [
      center[0] + c * sx * hx - s * sy * hy,
      center[1] + s * sx * hx + c * sy * hy,
      center[2] + sz * hz,
    ];
    const v = [
      corner(-1, -1, -1), corner(1, -1, -1), corner(1, 1, -1), corner(-1, 1, -1),
      corner(-1, -1, 1), corner(1, -1, 1), corner(1, 1, 1), corner(-1, 1, 1),
    ];
    this.quad(v[0], v[3], v[2], v[1], cls); // bottom
    this.quad(v[4], v[5], v[6], v[7], cls); // top
    this.quad(v[0], v[1], v[5], v[4], cls); // -y side
    this.quad(v[1], v[2], v[6], v[5], cls); // +x front
    this.quad(v[2], v[3], v[7], v[6], cls); // +y side
    this.quad(v[3], v[0], v[4], v[7], cls); // -x back
  }

  append(other: MeshBuilder): void {
    for (const p of other.positions) this.positions.push(p);
    for (const c of other.classes) this.classes.push(c);
  }

  soup(): { positions: Float32Array; classes: Uint8Array } {
    return { positions: new Float32Array(this.positions), classes: new Uint8Array(this.classes) };
  }

  toBufferGeometry(): BufferGeometry {
    const { positions, classes } = this.soup();
    const perVertex = new Uint8Array(classes.length * 3);
    for (let i = 0; i < classes.length; i++) perVertex.fill(classes[i], i * 3, i * 3 + 3);
    const geometry = new BufferGeometry();
    geometry.setAttribute('position', new BufferAttribute(positions, 3));
    geometry.setAttribute('semantic', new BufferAttribute(perVertex, 1));
    return geometry;
  }
}

/**
 * The triangle soup of a BufferGeometry (indexed or not) with one class per triangle, taken
 * from its `semantic` attribute (first vertex of each triangle) or else `fallbackClass`.
 */
export function soupFromGeometry(geometry: BufferGeometry, fallbackClass: number): { positions: Float32Array; classes: Uint8Array } {
  const position = geometry.getAttribute('position');
  const semantic = geometry.getAttribute('semantic');
  const index = geometry.getIndex();
  const vertexCount = index ? index.count : position.count;
  const triangles = Math.floor(vertexCount / 3);
  const positions = new Float32Array(triangles * 9);
  const classes = new Uint8Array(triangles);
  for (let t = 0; t < triangles; t++) {
    for (let k = 0; k < 3; k++) {
      const v = index ? index.getX(t * 3 + k) : t * 3 + k;
      positions[t * 9 + k * 3] = position.getX(v);
      positions[t * 9 + k * 3 + 1] = position.getY(v);
      positions[t * 9 + k * 3 + 2] = position.getZ(v);
      if (k === 0) classes[t] = semantic ? semantic.getX(v) : fallbackClass;
    }
  }
  return { positions, classes };
}
