/**
 * The pinhole image the rasteriser draws into (the camera's own image for an undistorted
 * pinhole lens, a wider one that the lens remap samples otherwise). Per pixel: 1/depth
 * (depth along the optical axis; larger is nearer, 1/far where nothing was drawn), semantic
 * class, instance id, material id, the unit surface normal in the world (facing the camera)
 * and the cosine between that normal and the direction to the sun. Pixel (col, row) has its
 * centre at (u, v) = (col, row).
 */
export class RenderTarget {
  readonly invDepth: Float32Array;
  readonly classId: Uint8Array;
  readonly instanceId: Uint32Array;
  readonly sunCosine: Float32Array;
  readonly materialId: Uint8Array;
  /** World-frame unit normal facing the camera, 3 per pixel (meaningful where something was drawn). */
  readonly normal: Float32Array;
  /** Scratch for drawing one actor alone (occlusion); entries equal to a stamp value are covered. */
  readonly stamp: Uint32Array;
  /** The record (in a `TriangleRecords`) of the triangle drawn at each pixel, where one is kept. */
  readonly triangle: Uint32Array;

  constructor(
    readonly width: number,
    readonly height: number,
    readonly fx: number,
    readonly fy: number,
    readonly cx: number,
    readonly cy: number,
  ) {
    const n = width * height;
    this.invDepth = new Float32Array(n);
    this.classId = new Uint8Array(n);
    this.instanceId = new Uint32Array(n);
    this.sunCosine = new Float32Array(n);
    this.materialId = new Uint8Array(n);
    this.normal = new Float32Array(n * 3);
    this.stamp = new Uint32Array(n);
    this.triangle = new Uint32Array(n);
  }

  /** Clears rows [r0, r1) to "nothing drawn" (1/depth = clearValue). */
  clear(r0: number, r1: number, clearValue: number): void {
    const a = r0 * this.width, b = r1 * this.width;
    this.invDepth.fill(clearValue, a, b);
    this.classId.fill(0, a, b);
    this.instanceId.fill(0, a, b);
    this.sunCosine.fill(0, a, b);
    this.materialId.fill(0, a, b);
  }
}

/**
 * What a frame's drawn triangles write, once per triangle instead of once per pixel: a target
 * that keeps only 1/depth and a record per pixel (the anti-aliasing corners) reads the rest
 * here, and two samples with the same record lie on the same triangle.
 */
export class TriangleRecords {
  count = 0;
  instance = new Uint32Array(1024);
  material = new Uint8Array(1024);
  classId = new Uint8Array(1024);
  sunCosine = new Float32Array(1024);
  /** World unit normal facing the camera, 3 per record. */
  normal = new Float32Array(3 * 1024);

  /** Appends a record; returns its index. */
  add(instance: number, material: number, classId: number, sunCosine: number, nx: number, ny: number, nz: number): number {
    const k = this.count++;
    if (k === this.instance.length) this.grow();
    this.instance[k] = instance; this.material[k] = material; this.classId[k] = classId; this.sunCosine[k] = sunCosine;
    this.normal[k * 3] = nx; this.normal[k * 3 + 1] = ny; this.normal[k * 3 + 2] = nz;
    return k;
  }

  private grow(): void {
    const n = 2 * this.instance.length;
    const instance = new Uint32Array(n), material = new Uint8Array(n), classId = new Uint8Array(n), normal = new Float32Array(3 * n);
    const sunCosine = new Float32Array(n);
    instance.set(this.instance); material.set(this.material); classId.set(this.classId); normal.set(this.normal); sunCosine.set(this.sunCosine);
    this.instance = instance; this.material = material; this.classId = classId; this.normal = normal; this.sunCosine = sunCosine;
  }
}
