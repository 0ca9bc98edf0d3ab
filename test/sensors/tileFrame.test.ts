import { describe, expect, it } from 'vitest';
import { packFrame, packParts, unpackFrame, unpackParts, type MeshRef, type PartRef, type TileFrame } from '../../src/sensors/camera/TileSetup.js';

/**
 * A camera's parts as its tiles' messages carry them (numbers in one typed array): every
 * number comes back exactly, lists that bands share come back shared (the tiles draw such
 * bands in one pass), and each mesh is carried once.
 */
describe('packed parts', () => {
  const car: MeshRef = { id: 3, triangles: 1024, count: 12, classes: 4096, materials: 8192, bounds: 16384 };
  const wheel: MeshRef = { id: 9, triangles: 2048, count: 40, classes: 5000, materials: 6000, bounds: 7000 };
  const part = (mesh: MeshRef, id: number, k: number): PartRef => ({
    mesh, id, q: [Math.SQRT1_2, 0, 1e-17 * k, -Math.SQRT1_2], p: [1 / 3 + k, -2.5e6 - k, Math.PI * k],
  });
  const early = [part(car, 7, 1), part(wheel, 7, 2), part(wheel, 4_000_000_000, 3)];
  const late = [part(car, 7, 4)];
  // Bands 0 and 1 read with the world placed alike share one list; band 2 has its own; band 3 none.
  const bands = [early, early, late, []];

  it('gives back every number, the sharing of lists, and each mesh once', () => {
    const packed = packParts(bands);
    expect(packed.meshes).toEqual([car, wheel]);
    expect(packed.values).toBeInstanceOf(Float64Array);
    expect(packed.values.length).toBe(9 * (3 + 1));
    const back = unpackParts(structuredClone(packed));
    expect(back).toEqual(bands);
    expect(back[0]).toBe(back[1]);
    expect(back[2]).not.toBe(back[0]);
    expect(back[3]).toEqual([]);
  });

  it('carries a whole frame: its parts and boxes packed, the rest as it was', () => {
    const frame = {
      views: [{ m: [1, 0, 0, 0, 1, 0, 0, 0, 1], position: [1, 2, 3], sun: [0, 0, 1] }], parts: bands, scene: 64, skip: 7, ignore: 7,
      shadows: true, staticMesh: car, light: { key: 'k', sun: [0, 0, 1], turbidity: 3, fogDistance: Infinity }, appearances: [],
      lamps: new Float64Array([1, 2]), boxes: [late, early], stats: true,
    } satisfies TileFrame;
    const message = structuredClone(packFrame(frame));
    // What travels is numbers in typed arrays, not the parts as objects.
    expect(message.parts.values).toBeInstanceOf(Float64Array);
    expect(unpackFrame(message)).toEqual(frame);
  });
});
