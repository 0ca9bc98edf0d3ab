/**
 * Writes test/fixtures/gltf/test-car.glb: a small car-like glTF 2.0 binary for the model
 * loader's tests. Its parts are boxes with named materials (paint, windscreen, tyres), one of
 * them known only by its look (shiny metal), a driver node (class by name) and a beacon with
 * `extras.semantic`, all under a root node turned 90° about y and scaled, so that the loader's
 * node transforms and frame conversion are exercised. Written with @gltf-transform/core, the
 * library the loader reads with; rerun it (`node scripts/make-test-car-glb.mjs`) to rebuild.
 */
import { writeFileSync } from 'node:fs';
import { Document, WebIO } from '@gltf-transform/core';

const doc = new Document();
const buffer = doc.createBuffer();
const scene = doc.createScene('Scene');

/** A closed box as 12 indexed triangles, from its min and max corners (glTF frame, y up). */
function boxMesh(name, min, max, material) {
  const [x0, y0, z0] = min, [x1, y1, z1] = max;
  const p = [[x0, y0, z0], [x1, y0, z0], [x1, y1, z0], [x0, y1, z0], [x0, y0, z1], [x1, y0, z1], [x1, y1, z1], [x0, y1, z1]];
  const faces = [0, 2, 1, 0, 3, 2, 4, 5, 6, 4, 6, 7, 0, 1, 5, 0, 5, 4, 1, 2, 6, 1, 6, 5, 2, 3, 7, 2, 7, 6, 3, 0, 4, 3, 4, 7];
  const position = doc.createAccessor().setType('VEC3').setArray(new Float32Array(p.flat())).setBuffer(buffer);
  const indices = doc.createAccessor().setType('SCALAR').setArray(new Uint16Array(faces)).setBuffer(buffer);
  const primitive = doc.createPrimitive().setAttribute('POSITION', position).setIndices(indices).setMaterial(material);
  return doc.createMesh(name).addPrimitive(primitive);
}

const paint = doc.createMaterial('Car_Paint_Blue').setBaseColorFactor([0.1, 0.2, 0.8, 1]);
const glass = doc.createMaterial('Windscreen').setBaseColorFactor([0.1, 0.1, 0.1, 1]);
const tyre = doc.createMaterial('Tyre_Black').setBaseColorFactor([0.02, 0.02, 0.02, 1]);
const shiny = doc.createMaterial('Material.003').setBaseColorFactor([0.9, 0.9, 0.9, 1]).setMetallicFactor(1).setRoughnessFactor(0.1);
const jacket = doc.createMaterial('Jacket').setBaseColorFactor([0.6, 0.1, 0.1, 1]);
const lamp = doc.createMaterial('Lamp').setBaseColorFactor([1, 0.5, 0, 0.5]).setAlphaMode('BLEND');

// The car is long along its local x; the root's quarter turn about y takes x to glTF's +z (forward).
const root = doc.createNode('Car').setRotation([0, -Math.SQRT1_2, 0, Math.SQRT1_2]).setScale([2, 2, 2]).setTranslation([5, 1, -3]);
scene.addChild(root);
const part = (name, mesh) => {
  const node = doc.createNode(name).setMesh(mesh);
  root.addChild(node);
  return node;
};
part('Body', boxMesh('BodyMesh', [-1.1, 0.15, -0.45], [1.1, 0.6, 0.45], paint));
part('Windscreen', boxMesh('WindscreenMesh', [0.2, 0.6, -0.4], [0.5, 0.75, 0.4], glass));
for (const [x, z] of [[-0.7, -0.45], [-0.7, 0.45], [0.7, -0.45], [0.7, 0.45]]) {
  part(`Wheel_${x > 0 ? 'F' : 'R'}${z > 0 ? 'L' : 'R'}`, boxMesh('WheelMesh', [x - 0.15, 0, z - 0.05], [x + 0.15, 0.3, z + 0.05], tyre));
}
part('Bumper', boxMesh('BumperMesh', [1.1, 0.2, -0.4], [1.15, 0.3, 0.4], shiny));
part('Driver', boxMesh('DriverMesh', [-0.2, 0.6, -0.3], [0.1, 0.8, -0.1], jacket));
part('Beacon', boxMesh('BeaconMesh', [-0.1, 0.75, -0.05], [0.0, 0.8, 0.05], lamp)).setExtras({ semantic: 'static_prop' });

const glb = await new WebIO().writeBinary(doc);
writeFileSync(new URL('../test/fixtures/gltf/test-car.glb', import.meta.url), glb);
console.log(`test-car.glb: ${glb.byteLength} bytes`);
