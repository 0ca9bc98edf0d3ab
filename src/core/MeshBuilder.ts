import { BufferAttribute, BufferGeometry } from 'three';
import { DEFAULT_MATERIAL_BY_CLASS } from './materials.js';

/** A triangle soup: nine coordinates, a semantic class and a material per triangle. */
export interface TriangleSoup {
  positions: Float32Array;
  classes: Uint8Array;
  materials: Uint8Array;
}

/**
 * Accumulates a triangle soup with one semantic class and one material (core/materials.ts)
 * per triangle, and hands it out as a three.js BufferGeometry (attribute `position`, and
 * `semantic` and `material` per vertex, equal on a triangle's three vertices) or as the flat
 * arrays the raycaster builds from. A triangle given no material gets its class's usual one.
 */
export class MeshBuilder {
  private positions: number[] = [];
  private classes: number[] = [];
  private materials: number[] = [];

  get triangleCount(): number {
    return this.classes.length;
  }

  triangle(a: ArrayLike<number>, b: ArrayLike<number>, c: ArrayLike<number>, cls: number, material = DEFAULT_MATERIAL_BY_CLASS[cls]): void {
    this.positions.push(a[0], a[1], a[2], b[0], b[1], b[2], c[0], c[1], c[2]);
    this.classes.push(cls);
    this.materials.push(material);
  }

  /** A quad p0 p1 p2 p3 in order around its edge, as two triangles. */
  quad(p0: ArrayLike<number>, p1: ArrayLike<number>, p2: ArrayLike<number>, p3: ArrayLike<number>, cls: number, material = DEFAULT_MATERIAL_BY_CLASS[cls]): void {
    this.triangle(p0, p1, p2, cls, material);
    this.triangle(p0, p2, p3, cls, material);
  }

  /**
   * A closed box, given by its centre, size (x length, y width, z height) and yaw about z.
   */
  box(center: readonly [number, number, number], size: readonly [number, number, number], yaw: number, cls: number, material = DEFAULT_MATERIAL_BY_CLASS[cls]): void {
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
    this.quad(v[0], v[3], v[2], v[1], cls, material); // bottom
    this.quad(v[4], v[5], v[6], v[7], cls, material); // top
    this.quad(v[0], v[1], v[5], v[4], cls, material); // -y side
    this.quad(v[1], v[2], v[6], v[5], cls, material); // +x front
    this.quad(v[2], v[3], v[7], v[6], cls, material); // +y side
    this.quad(v[3], v[0], v[4], v[7], cls, material); // -x back
  }

  append(other: MeshBuilder): void {
    for (const p of other.positions) this.positions.push(p);
    for (const c of other.classes) this.classes.push(c);
    for (const x of other.materials) this.materials.push(x);
  }

  soup(): TriangleSoup {
    return { positions: new Float32Array(this.positions), classes: new Uint8Array(this.classes), materials: new Uint8Array(this.materials) };
  }

  toBufferGeometry(): BufferGeometry {
    const { positions, classes, materials } = this.soup();
    const perVertex = (perTriangle: Uint8Array): Uint8Array => {
      const out = new Uint8Array(perTriangle.length * 3);
      for (let i = 0; i < perTriangle.length; i++) out.fill(perTriangle[i], i * 3, i * 3 + 3);
      return out;
    };
    const geometry = new BufferGeometry();
    geometry.setAttribute('position', new BufferAttribute(positions, 3));
    geometry.setAttribute('semantic', new BufferAttribute(perVertex(classes), 1));
    geometry.setAttribute('material', new BufferAttribute(perVertex(materials), 1));
    return geometry;
  }
}

/**
 * The triangle soup of a BufferGeometry (indexed or not) with one class and one material per
 * triangle, taken from its `semantic` and `material` attributes (first vertex of each
 * triangle), or else `fallbackClass` and that class's usual material.
 */
export function soupFromGeometry(geometry: BufferGeometry, fallbackClass: number): TriangleSoup {
  const position = geometry.getAttribute('position');
  const semantic = geometry.getAttribute('semantic');
  const material = geometry.getAttribute('material');
  const index = geometry.getIndex();
  const vertexCount = index ? index.count : position.count;
  const triangles = Math.floor(vertexCount / 3);
  const positions = new Float32Array(triangles * 9);
  const classes = new Uint8Array(triangles);
  const materials = new Uint8Array(triangles);
  for (let t = 0; t < triangles; t++) {
    for (let k = 0; k < 3; k++) {
      const v = index ? index.getX(t * 3 + k) : t * 3 + k;
      positions[t * 9 + k * 3] = position.getX(v);
      positions[t * 9 + k * 3 + 1] = position.getY(v);
      positions[t * 9 + k * 3 + 2] = position.getZ(v);
      if (k === 0) {
        classes[t] = semantic ? semantic.getX(v) : fallbackClass;
        materials[t] = material ? material.getX(v) : DEFAULT_MATERIAL_BY_CLASS[classes[t]];
      }
    }
  }
  return { positions, classes, materials };
}
