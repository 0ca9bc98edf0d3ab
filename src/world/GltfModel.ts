/**
 * A user's glTF 2.0 binary (.glb) as an actor's mesh: read through the bounded user-file
 * reader, checked by hand where a damaged file could make the parser loop or allocate without
 * bound (header, chunk sizes, node cycles, accessor sizes, outside URIs), then parsed with
 * @gltf-transform/core, the maintained glTF 2.0 library (it decodes accessors, sparse data,
 * strides and node transforms as the specification says, which a hand-written reader would
 * have to repeat). Every refusal is one UserError line naming the file, and the node or mesh.
 */
import { Logger, WebIO, type Material as GltfMaterial, type Node as GltfNode } from '@gltf-transform/core';
import { ACTOR_KINDS, type ActorKindName } from '../core/actorKinds.js';
import { UserError } from '../core/errors.js';
import { DEFAULT_MATERIAL_BY_CLASS, MATERIALS, materialId, type MaterialName } from '../core/materials.js';
import { MeshBuilder } from '../core/MeshBuilder.js';
import { SEMANTIC_CLASSES, classId, type SemanticName } from '../core/semantic.js';
import { formatBytes, readUserFile } from '../core/UserFile.js';
import type { Scenario } from '../scenario/Scenario.js';

/** Meshes that replace the built-in models: for every actor of a kind, or for one actor by id. */
export interface ActorModelMeshes {
  byKind: Map<ActorKindName, MeshBuilder>;
  byActor: Map<string, MeshBuilder>;
}

/**
 * Bounds on what one model may hold. A detailed car is 50k to 500k triangles and a few MB;
 * these keep a model's BVH within a few hundred MB whatever the file claims.
 */
export const GLTF_LIMITS = {
  bytes: 64 * 1024 * 1024,
  triangles: 1_000_000,
  /** Elements over all accessors (a sparse accessor can claim many with few bytes). */
  accessorElements: 16_000_000,
} as const;

export interface ModelBox {
  length: number;
  width: number;
  height: number;
}

/** Loads every model a scenario names, each scaled to its kind's box (or its actor's own dimensions). */
export async function loadActorModels(scenario: Pick<Scenario, 'models' | 'actors'>): Promise<ActorModelMeshes> {
  const meshes: ActorModelMeshes = { byKind: new Map(), byActor: new Map() };
  const files = scenario.models;
  if (!files) return meshes;
  for (const [kind, file] of Object.entries(files.byKind) as [ActorKindName, string][]) {
    meshes.byKind.set(kind, await loadGltfModel(file, ACTOR_KINDS[kind], ACTOR_KINDS[kind].semanticClass));
  }
  // Parked cars are the catalogue car: a car model dresses them too unless they have their own.
  const car = meshes.byKind.get('car');
  if (car && !meshes.byKind.has('parked_car')) meshes.byKind.set('parked_car', car);
  for (const [id, file] of Object.entries(files.byActor)) {
    const actor = scenario.actors.find((a) => a.id === id);
    if (!actor) continue;
    const kind = ACTOR_KINDS[actor.kind];
    meshes.byActor.set(id, await loadGltfModel(file, actor.dimensions ?? kind, kind.semanticClass));
  }
  return meshes;
}

/**
 * A .glb file as a mesh in an actor's body frame (x forward, y left, z up, origin at the
 * footprint's centre on the ground), scaled uniformly to the largest size that fits the box:
 * the box is the actor's ground truth, and a mesh poking out of it would put labelled points
 * outside their box. glTF's frame (y up, +z forward, +x left) turns into ours without mirroring.
 */
export async function loadGltfModel(file: string, box: ModelBox, kindClass: number): Promise<MeshBuilder> {
  const bytes = readUserFile(file, { what: 'glTF model', maxBytes: GLTF_LIMITS.bytes });
  checkGlb(bytes, file);
  let document;
  try {
    const io = new WebIO().setLogger(new Logger(Logger.Verbosity.SILENT));
    document = await io.readBinary(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (error) {
    throw new UserError(`is not a valid glTF 2.0 file: ${oneLine((error as Error).message)}`, file);
  }
  const root = document.getRoot();
  const scene = root.getDefaultScene() ?? root.listScenes()[0];
  if (!scene) throw new UserError('has no scene to show', file);
  const raw = { positions: [] as number[], classes: [] as number[], materials: [] as number[] };
  const visit = (node: GltfNode, parentClass: number): void => {
    const cls = nodeClass(node, parentClass, file);
    const mesh = node.getMesh();
    if (mesh) {
      const where = `node "${node.getName() || '(unnamed)'}", mesh "${mesh.getName() || '(unnamed)'}"`;
      const m = node.getWorldMatrix();
      for (const primitive of mesh.listPrimitives()) {
        const mode = primitive.getMode();
        // Points and lines have no surface for a ray to hit.
        if (mode !== 4 && mode !== 5 && mode !== 6) continue;
        const position = primitive.getAttribute('POSITION');
        if (!position) throw new UserError(`${where}: a primitive has no POSITION attribute`, file);
        const count = position.getCount();
        const indices = primitive.getIndices();
        const index = (i: number): number => {
          const v = indices ? indices.getScalar(i) : i;
          if (!(v >= 0 && v < count)) throw new UserError(`${where}: vertex index ${v} is past its ${count} vertices`, file);
          return v;
        };
        const n = indices ? indices.getCount() : count;
        const material = mapMaterial(primitive.getMaterial(), cls);
        const p = [0, 0, 0];
        const emit = (a: number, b: number, c: number): void => {
          if (raw.classes.length >= GLTF_LIMITS.triangles) {
            throw new UserError(`has more than ${GLTF_LIMITS.triangles.toLocaleString('en-US')} triangles (at ${where}); simplify the model`, file);
          }
          for (const v of [a, b, c]) {
            position.getElement(v, p);
            const x = m[0] * p[0] + m[4] * p[1] + m[8] * p[2] + m[12];
            const y = m[1] * p[0] + m[5] * p[1] + m[9] * p[2] + m[13];
            const z = m[2] * p[0] + m[6] * p[1] + m[10] * p[2] + m[14];
            if (!Number.isFinite(x + y + z)) throw new UserError(`${where}: a vertex is not a finite number`, file);
            // glTF (x left, y up, z forward) to ours (x forward, y left, z up).
            raw.positions.push(z, x, y);
          }
          raw.classes.push(cls);
          raw.materials.push(material);
        };
        if (mode === 4) for (let i = 0; i + 2 < n; i += 3) emit(index(i), index(i + 1), index(i + 2));
        // Strips alternate their winding; fans share their first vertex.
        else if (mode === 5) for (let i = 0; i + 2 < n; i++) i % 2 === 0 ? emit(index(i), index(i + 1), index(i + 2)) : emit(index(i + 1), index(i), index(i + 2));
        else for (let i = 1; i + 1 < n; i++) emit(index(0), index(i), index(i + 1));
      }
    }
    for (const child of node.listChildren()) visit(child, cls);
  };
  for (const node of scene.listChildren()) visit(node, kindClass);
  if (raw.classes.length === 0) throw new UserError('has no triangles to show (no mesh in its scene, or only points and lines)', file);
  return fitToBox(raw, box);
}

/** Scales and moves the triangles so that they fill the box as far as their proportions allow. */
function fitToBox(raw: { positions: number[]; classes: number[]; materials: number[] }, box: ModelBox): MeshBuilder {
  const lo = [Infinity, Infinity, Infinity], hi = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < raw.positions.length; i++) {
    lo[i % 3] = Math.min(lo[i % 3], raw.positions[i]);
    hi[i % 3] = Math.max(hi[i % 3], raw.positions[i]);
  }
  const extent = [hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2]];
  const target = [box.length, box.width, box.height];
  // A flat model (a sign, a sheet) has no extent on one axis: that axis sets no limit.
  const scale = Math.min(...[0, 1, 2].filter((a) => extent[a] > 1e-9).map((a) => target[a] / extent[a]));
  const shift = [-(lo[0] + hi[0]) / 2, -(lo[1] + hi[1]) / 2, -lo[2]];
  const mesh = new MeshBuilder();
  const at = (o: number): number[] => [0, 1, 2].map((a) => (raw.positions[o + a] + shift[a]) * scale);
  for (let t = 0; t < raw.classes.length; t++) mesh.triangle(at(t * 9), at(t * 9 + 3), at(t * 9 + 6), raw.classes[t], raw.materials[t]);
  return mesh;
}

/** Node names that say what a part is, for the classes an actor's parts can have. */
const NODE_NAME_CLASSES: [RegExp, SemanticName][] = [
  [/\b(rider|driver|cyclist)\b/, 'rider'],
  [/\b(pedestrian|person|human|body_?person)\b/, 'pedestrian'],
  [/\b(bicycle|bike)\b/, 'bicycle'],
  [/\b(truck|lorry)\b/, 'truck'],
  [/\bbus\b/, 'bus'],
];

/** A node's class: its `extras.semantic` (a class name), else its name's, else its parent's. */
function nodeClass(node: GltfNode, parentClass: number, file: string): number {
  const given = node.getExtras()?.semantic;
  if (given !== undefined) {
    const known = SEMANTIC_CLASSES.find((c) => c.name === given);
    if (!known) throw new UserError(`node "${node.getName()}": extras.semantic ${JSON.stringify(given)} is not a class (one of ${SEMANTIC_CLASSES.map((c) => c.name).join(', ')})`, file);
    return known.id;
  }
  // Word boundaries on the name with separators and camel case turned into spaces.
  const name = node.getName().replace(/([a-z])([A-Z])/g, '$1 $2').replace(/[_\-.]+/g, ' ').toLowerCase();
  for (const [pattern, cls] of NODE_NAME_CLASSES) if (pattern.test(name)) return classId(cls);
  return parentClass;
}

/** Keywords of material names, first match wins (a "window_chrome" is chrome trim, not glass). */
const MATERIAL_KEYWORDS: [RegExp, MaterialName][] = [
  [/chrome/, 'chrome'],
  [/tyre|tire|rubber/, 'tyre_rubber'],
  [/glass|windshield|windscreen|window/, 'car_glass'],
  [/\brim|alloy|wheel_?metal/, 'rim_alloy'],
  [/headl(ight|amp)|front_?light/, 'headlight'],
  [/tail_?(light|lamp)|brake_?light|rear_?light/, 'taillight'],
  [/licen[cs]e|number_?plate|\bplate/, 'number_plate'],
  [/paint|body|carpaint|coat/, 'car_paint'],
  [/plastic|trim|bumper|grille/, 'plastic_black'],
  [/skin/, 'skin'],
  [/hair/, 'hair'],
  [/trouser|pants|jeans|skirt/, 'clothing_lower'],
  [/cloth|shirt|jacket|dress/, 'clothing'],
  [/frame/, 'bicycle_frame'],
];
const OUR_NAMES = new Set<string>(MATERIALS.map((x) => x.name));

/**
 * One of our materials for a glTF material: by name (ours exactly, else keywords), else by its
 * look: see-through is glass, metal is chrome or alloy by roughness, near-black is plastic;
 * anything else is what the part's class is usually made of (a car's paint).
 */
export function mapMaterial(material: GltfMaterial | null, cls: number): number {
  if (!material) return DEFAULT_MATERIAL_BY_CLASS[cls];
  const name = material.getName().toLowerCase();
  if (OUR_NAMES.has(name)) return materialId(name as MaterialName);
  for (const [pattern, ours] of MATERIAL_KEYWORDS) if (pattern.test(name)) return materialId(ours);
  const [r, g, b, alpha] = material.getBaseColorFactor();
  if (material.getAlphaMode() === 'BLEND' || alpha < 0.9) return materialId('car_glass');
  if (material.getMetallicFactor() >= 0.5) return materialId(material.getRoughnessFactor() < 0.3 ? 'chrome' : 'rim_alloy');
  if (0.2126 * r + 0.7152 * g + 0.0722 * b < 0.02) return materialId('plastic_black');
  return DEFAULT_MATERIAL_BY_CLASS[cls];
}

const GLB_MAGIC = 0x46546c67; // "glTF"
const CHUNK_JSON = 0x4e4f534a;

/**
 * The checks the parser does not make before it allocates or recurses: a GLB header and JSON
 * chunk that agree with the file, nodes that form a forest, accessors of bounded size, and
 * buffers and images inside the file (a URI would read some other file of the user's disk).
 */
function checkGlb(bytes: Buffer, file: string): void {
  if (bytes.length < 20 || bytes.readUInt32LE(0) !== GLB_MAGIC) {
    const text = bytes.subarray(0, 64).toString('utf8').trimStart();
    if (text.startsWith('{')) throw new UserError('is glTF JSON (.gltf), not binary glTF; give a .glb file with its buffers inside (e.g. `gltf-transform copy model.gltf model.glb`)', file);
    throw new UserError('is not a binary glTF (.glb) file: it does not start with "glTF"', file);
  }
  const version = bytes.readUInt32LE(4);
  if (version !== 2) throw new UserError(`is glTF version ${version}; roadcast reads glTF 2.0`, file);
  const declared = bytes.readUInt32LE(8);
  if (declared !== bytes.length) throw new UserError(`is truncated or padded: its header says ${formatBytes(declared)} (${declared} bytes), the file has ${bytes.length}`, file);
  const jsonLength = bytes.readUInt32LE(12);
  if (bytes.readUInt32LE(16) !== CHUNK_JSON || 20 + jsonLength > bytes.length) throw new UserError('is damaged: its first chunk is not a JSON chunk that fits in the file', file);
  let json: GltfJson;
  try {
    json = JSON.parse(bytes.subarray(20, 20 + jsonLength).toString('utf8')) as GltfJson;
  } catch (error) {
    throw new UserError(`is damaged: its JSON chunk is not valid JSON (${oneLine((error as Error).message)})`, file);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new UserError('is damaged: its JSON chunk is not a glTF object', file);
  if (typeof json.asset?.version !== 'string' || !json.asset.version.startsWith('2.')) throw new UserError(`says glTF version ${JSON.stringify(json.asset?.version)}; roadcast reads glTF 2.0`, file);
  for (const [what, list] of [['buffer', json.buffers], ['image', json.images]] as const) {
    for (const [i, item] of (Array.isArray(list) ? list : []).entries()) {
      if (typeof item?.uri === 'string' && !item.uri.startsWith('data:')) throw new UserError(`${what} ${i} refers to an outside file (${JSON.stringify(item.uri.slice(0, 80))}); pack it into the .glb`, file);
    }
  }
  let elements = 0;
  for (const accessor of Array.isArray(json.accessors) ? json.accessors : []) elements += Number(accessor?.count) || 0;
  if (elements > GLTF_LIMITS.accessorElements) throw new UserError(`has ${elements.toLocaleString('en-US')} accessor elements; at most ${GLTF_LIMITS.accessorElements.toLocaleString('en-US')} are read`, file);
  checkNodeForest(Array.isArray(json.nodes) ? json.nodes : [], file);
}

/** Every node has at most one parent and no node is its own ancestor (glTF 2.0 §3.5.3). */
function checkNodeForest(nodes: GltfJson['nodes'] & unknown[], file: string): void {
  const parent = new Map<number, number>();
  nodes.forEach((node, i) => {
    for (const child of Array.isArray(node?.children) ? node.children : []) {
      const name = `node ${JSON.stringify(nodes[i]?.name ?? i)}`;
      if (!Number.isInteger(child) || child < 0 || child >= nodes.length) throw new UserError(`${name} has a child ${JSON.stringify(child)} that is not a node`, file);
      if (parent.has(child) || child === i) throw new UserError(`${name}: node ${child} has more than one parent or is its own child`, file);
      parent.set(child, i);
    }
  });
  for (let i = 0; i < nodes.length; i++) {
    let steps = 0;
    for (let at = parent.get(i); at !== undefined; at = parent.get(at)) {
      if (++steps > nodes.length) throw new UserError(`node ${JSON.stringify(nodes[i]?.name ?? i)} is its own ancestor (the node hierarchy has a cycle)`, file);
    }
  }
}

interface GltfJson {
  asset?: { version?: unknown };
  buffers?: { uri?: unknown }[];
  images?: { uri?: unknown }[];
  accessors?: { count?: unknown }[];
  nodes?: { name?: string; children?: number[] }[];
}

function oneLine(message: string): string {
  return message.split('\n')[0].slice(0, 200);
}
