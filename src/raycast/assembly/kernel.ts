// The raycast kernel, in AssemblyScript, compiled to WebAssembly with SIMD (see
// `npm run build:kernel`). It reads everything from the one shared memory that KernelMemory.ts
// lays out: meshes, the scene's top level, ray and hit batches and a traversal stack per thread.
// It owns no memory and keeps no state across calls but its result globals (which are per
// instance, so per thread), so any number of threads may cast into one memory at once.
// The layouts below are mirrored in KernelMemory.ts; a change must be made in both.

// Mesh record (a row of the scene's mesh table; record 0 is the static mesh).
const MESH_NODES: usize = 0;
const MESH_TRIANGLES: usize = 4;
const MESH_TRIANGLE_COUNT: usize = 8;
const MESH_TRIANGLE_IDS: usize = 12;
const MESH_CLASSES: usize = 16;
const MESH_MATERIALS: usize = 20;
const MESH_RECORD: usize = 32;

// Scene descriptor.
const SCENE_MESHES: usize = 0;
const SCENE_TOP_NODES: usize = 4;
const SCENE_TOP_COUNT: usize = 8;
const SCENE_TOP_TRANSFORMS: usize = 12;
const SCENE_TOP_MESHES: usize = 16;
const SCENE_TOP_IDS: usize = 20;
/** 905 nm reflectivity by material id (256 float32): a hit's reflectivity is its material's. */
const SCENE_REFLECTIVITY: usize = 24;

// A 4-wide node (Bvh4.ts): 24 float32 box planes, then 4 int32 links, 128 bytes.
const NODE_LINKS: usize = 96;
// Instance transform: row-major rotation (world from model) then translation, float64.
const XFORM_BYTES: usize = 96;
// Per-thread stacks: entries of (link int32, entry distance float32).
export const STACK_ENTRIES: i32 = 1024;
const STACK_BYTES: usize = <usize>STACK_ENTRIES * 8;

// Inverse direction components are clamped so that no slab computes 0 * Infinity.
const HUGE: f64 = 1e30;

/** Distance of the closest hit found by the last intersectMesh call. */
let hitT: f64 = 0;

@inline function inverse(d: f64): f64 {
  if (d === 0) return HUGE;
  const i = 1 / d;
  return i > HUGE ? HUGE : i < -HUGE ? -HUGE : i;
}

/** Pushes an entry below the nearer ones pushed since `bottom`, so the nearest pops first. */
@inline function push(stack: usize, sp: i32, bottom: i32, t: f32, link: i32): i32 {
  let j = sp;
  while (j > bottom) {
    const below = stack + (<usize>(j - 1) << 3);
    if (load<f32>(below, 4) >= t) break;
    store<i64>(below + 8, load<i64>(below));
    j--;
  }
  const at = stack + (<usize>j << 3);
  store<i32>(at, link);
  store<f32>(at, t, 4);
  return sp + 1;
}

/**
 * Tests the ray against a 4-wide node's four child boxes at once (float32 slabs) and pushes
 * the children it enters between tMin and the best hit so far; returns the new stack top.
 * `nx`..`fz` are the byte offsets of each axis's near and far planes for the ray's signs.
 */
@inline function visitNode(
  node: usize, stack: usize, sp: i32,
  nx: usize, ny: usize, nz: usize, fx: usize, fy: usize, fz: usize,
  vox: v128, voy: v128, voz: v128, vix: v128, viy: v128, viz: v128, vtMin: v128, vBest: v128,
): i32 {
  const near = f32x4.pmax(
    f32x4.pmax(f32x4.mul(f32x4.sub(v128.load(node + nx), vox), vix), f32x4.mul(f32x4.sub(v128.load(node + ny), voy), viy)),
    f32x4.pmax(f32x4.mul(f32x4.sub(v128.load(node + nz), voz), viz), vtMin),
  );
  const far = f32x4.pmin(
    f32x4.pmin(f32x4.mul(f32x4.sub(v128.load(node + fx), vox), vix), f32x4.mul(f32x4.sub(v128.load(node + fy), voy), viy)),
    f32x4.pmin(f32x4.mul(f32x4.sub(v128.load(node + fz), voz), viz), vBest),
  );
  const mask = i32x4.bitmask(f32x4.le(near, far));
  if (mask === 0) return sp;
  const bottom = sp;
  const links = node + NODE_LINKS;
  if (mask & 1) sp = push(stack, sp, bottom, f32x4.extract_lane(near, 0), load<i32>(links, 0));
  if (mask & 2) sp = push(stack, sp, bottom, f32x4.extract_lane(near, 1), load<i32>(links, 4));
  if (mask & 4) sp = push(stack, sp, bottom, f32x4.extract_lane(near, 2), load<i32>(links, 8));
  if (mask & 8) sp = push(stack, sp, bottom, f32x4.extract_lane(near, 3), load<i32>(links, 12));
  return sp;
}

/**
 * Closest hit of one ray against one mesh, both faces, t in [tMin, tMax): returns the
 * leaf-order triangle index or -1, and sets hitT. Ordered traversal: the children a ray enters
 * are pushed farthest first with their entry distances, and an entry popped farther than the
 * best hit is dropped without reading its node. Boxes are tested four at a time in float32
 * (the boxes are padded for it, see MeshBvh.ts); triangles in float64.
 */
function intersectMesh(
  mesh: usize, ox: f64, oy: f64, oz: f64, dx: f64, dy: f64, dz: f64, tMin: f64, tMax: f64, stack: usize,
): i32 {
  hitT = tMax;
  const triangleCount = load<i32>(mesh, MESH_TRIANGLE_COUNT);
  if (triangleCount === 0) return -1;
  const nodes = <usize>load<u32>(mesh, MESH_NODES);
  const tris = <usize>load<u32>(mesh, MESH_TRIANGLES);
  const ix = inverse(dx), iy = inverse(dy), iz = inverse(dz);
  // Byte offsets of the near and far planes per axis (min or max, by the ray's sign).
  const nx: usize = ix >= 0 ? 0 : 48, fx: usize = 48 - nx;
  const ny: usize = iy >= 0 ? 16 : 64, fy: usize = 80 - ny;
  const nz: usize = iz >= 0 ? 32 : 80, fz: usize = 112 - nz;
  const vox = f32x4.splat(<f32>ox), voy = f32x4.splat(<f32>oy), voz = f32x4.splat(<f32>oz);
  const vix = f32x4.splat(<f32>ix), viy = f32x4.splat(<f32>iy), viz = f32x4.splat(<f32>iz);
  const vtMin = f32x4.splat(<f32>tMin);
  let best = tMax;
  let vBest = f32x4.splat(<f32>best);
  let hit: i32 = -1;
  let sp: i32 = 1;
  store<i32>(stack, 0);
  store<f32>(stack, <f32>tMin, 4);
  while (sp > 0) {
    sp--;
    const entry = stack + (<usize>sp << 3);
    if (<f64>load<f32>(entry, 4) > best) continue;
    const link = load<i32>(entry);
    if (link >= 0) {
      sp = visitNode(nodes + (<usize>link << 2), stack, sp, nx, ny, nz, fx, fy, fz, vox, voy, voz, vix, viy, viz, vtMin, vBest);
    } else {
      // A leaf: ~link packs its first triangle and count (Bvh4.ts). Triangles are v0, e1, e2.
      const first = ~link >> 4;
      const end = first + (~link & 15);
      for (let k = first; k < end; k++) {
        const o = tris + <usize>k * 36;
        const e1x = <f64>load<f32>(o, 12), e1y = <f64>load<f32>(o, 16), e1z = <f64>load<f32>(o, 20);
        const e2x = <f64>load<f32>(o, 24), e2y = <f64>load<f32>(o, 28), e2z = <f64>load<f32>(o, 32);
        const px = dy * e2z - dz * e2y, py = dz * e2x - dx * e2z, pz = dx * e2y - dy * e2x;
        const det = e1x * px + e1y * py + e1z * pz;
        if (det === 0) continue;
        const inv = 1 / det;
        const sx = ox - <f64>load<f32>(o), sy = oy - <f64>load<f32>(o, 4), sz = oz - <f64>load<f32>(o, 8);
        const u = (sx * px + sy * py + sz * pz) * inv;
        if (u < 0 || u > 1) continue;
        const qx = sy * e1z - sz * e1y, qy = sz * e1x - sx * e1z, qz = sx * e1y - sy * e1x;
        const v = (dx * qx + dy * qy + dz * qz) * inv;
        if (v < 0 || u + v > 1) continue;
        const t = (e2x * qx + e2y * qy + e2z * qz) * inv;
        if (t >= tMin && t < best) {
          best = t;
          vBest = f32x4.splat(<f32>best);
          hit = k;
        }
      }
    }
  }
  hitT = best;
  return hit;
}

/**
 * Closest hit for rays [first, end) of the batch at `batch` (capacity rays; layout in
 * KernelMemory.ts), written into the batch's hit arrays. Hits on instance id `ignore` are
 * skipped. Each ray's answer depends on that ray alone, so any split gives identical hits.
 */
export function castRange(
  scene: usize, batch: usize, capacity: u32, first: i32, end: i32, tMin: f64, tMax: f64, ignore: u32, stack: usize,
): void {
  const c = <usize>capacity;
  const origins = batch, directions = batch + 12 * c;
  const meshes = <usize>load<u32>(scene, SCENE_MESHES);
  const topNodes = <usize>load<u32>(scene, SCENE_TOP_NODES);
  const topCount = load<i32>(scene, SCENE_TOP_COUNT);
  const transforms = <usize>load<u32>(scene, SCENE_TOP_TRANSFORMS);
  const topMeshes = <usize>load<u32>(scene, SCENE_TOP_MESHES);
  const ids = <usize>load<u32>(scene, SCENE_TOP_IDS);
  const topStack = stack + STACK_BYTES;
  for (let r = first; r < end; r++) {
    const o = origins + <usize>r * 12, d = directions + <usize>r * 12;
    const ox = <f64>load<f32>(o), oy = <f64>load<f32>(o, 4), oz = <f64>load<f32>(o, 8);
    const dx = <f64>load<f32>(d), dy = <f64>load<f32>(d, 4), dz = <f64>load<f32>(d, 8);
    let bestMesh: i32 = -1;
    let bestTri: i32 = -1;
    let bestInstance: i32 = -1;
    let best = tMax;
    const staticTri = intersectMesh(meshes, ox, oy, oz, dx, dy, dz, tMin, best, stack);
    if (staticTri >= 0) {
      best = hitT;
      bestTri = staticTri;
      bestMesh = 0;
    }
    if (topCount > 0) {
      // The same set-up and loop as intersectMesh's, kept apart on purpose: one traversal for
      // both, recursing into the instances' meshes, ran 17% slower (9.0 to 7.5 M rays/s on the
      // bench town), its vector locals spilled around the call.
      const ix = inverse(dx), iy = inverse(dy), iz = inverse(dz);
      const nx: usize = ix >= 0 ? 0 : 48, fx: usize = 48 - nx;
      const ny: usize = iy >= 0 ? 16 : 64, fy: usize = 80 - ny;
      const nz: usize = iz >= 0 ? 32 : 80, fz: usize = 112 - nz;
      const vox = f32x4.splat(<f32>ox), voy = f32x4.splat(<f32>oy), voz = f32x4.splat(<f32>oz);
      const vix = f32x4.splat(<f32>ix), viy = f32x4.splat(<f32>iy), viz = f32x4.splat(<f32>iz);
      const vtMin = f32x4.splat(<f32>tMin);
      let sp: i32 = 1;
      store<i32>(topStack, 0);
      store<f32>(topStack, <f32>tMin, 4);
      while (sp > 0) {
        sp--;
        const entry = topStack + (<usize>sp << 3);
        if (<f64>load<f32>(entry, 4) > best) continue;
        const link = load<i32>(entry);
        if (link >= 0) {
          sp = visitNode(topNodes + (<usize>link << 2), topStack, sp, nx, ny, nz, fx, fy, fz, vox, voy, voz, vix, viy, viz, vtMin, f32x4.splat(<f32>best));
          continue;
        }
        const firstEntry = ~link >> 4;
        const endEntry = firstEntry + (~link & 15);
        for (let i = firstEntry; i < endEntry; i++) {
          if (load<u32>(ids + <usize>i * 4) === ignore) continue;
          const m = transforms + <usize>i * XFORM_BYTES;
          // Model-space ray: R^T (o - t), R^T d. Rigid transforms keep t unchanged.
          const px = ox - load<f64>(m, 72), py = oy - load<f64>(m, 80), pz = oz - load<f64>(m, 88);
          const r0 = load<f64>(m), r1 = load<f64>(m, 8), r2 = load<f64>(m, 16);
          const r3 = load<f64>(m, 24), r4 = load<f64>(m, 32), r5 = load<f64>(m, 40);
          const r6 = load<f64>(m, 48), r7 = load<f64>(m, 56), r8 = load<f64>(m, 64);
          const meshIndex = load<i32>(topMeshes + <usize>i * 4);
          const tri = intersectMesh(
            meshes + <usize>meshIndex * MESH_RECORD,
            r0 * px + r3 * py + r6 * pz, r1 * px + r4 * py + r7 * pz, r2 * px + r5 * py + r8 * pz,
            r0 * dx + r3 * dy + r6 * dz, r1 * dx + r4 * dy + r7 * dz, r2 * dx + r5 * dy + r8 * dz,
            tMin, best, stack,
          );
          if (tri >= 0) {
            best = hitT;
            bestTri = tri;
            bestMesh = meshIndex;
            bestInstance = i;
          }
        }
      }
    }
    writeHit(scene, batch, c, r, bestMesh, bestTri, bestInstance, best, dx, dy, dz);
  }
}

function writeHit(
  scene: usize, batch: usize, c: usize, r: i32, meshIndex: i32, tri: i32, instance: i32, t: f64,
  dx: f64, dy: f64, dz: f64,
): void {
  const ray = <usize>r;
  const distance = batch + 24 * c + ray * 4;
  const normal = batch + 28 * c + ray * 12;
  const instanceId = batch + 40 * c + ray * 4;
  const triangleId = batch + 44 * c + ray * 4;
  const reflectivity = batch + 48 * c + ray * 4;
  const classId = batch + 52 * c + ray;
  const materialId = batch + 53 * c + ray;
  if (meshIndex < 0) {
    store<f32>(distance, Infinity);
    store<f32>(normal, 0);
    store<f32>(normal, 0, 4);
    store<f32>(normal, 0, 8);
    store<u32>(instanceId, 0xffffffff);
    store<u32>(triangleId, 0xffffffff);
    store<u8>(classId, 0);
    store<u8>(materialId, 0);
    store<f32>(reflectivity, 0);
    return;
  }
  const mesh = <usize>load<u32>(scene, SCENE_MESHES) + <usize>meshIndex * MESH_RECORD;
  const e = <usize>load<u32>(mesh, MESH_TRIANGLES) + <usize>tri * 36;
  const e1x = <f64>load<f32>(e, 12), e1y = <f64>load<f32>(e, 16), e1z = <f64>load<f32>(e, 20);
  const e2x = <f64>load<f32>(e, 24), e2y = <f64>load<f32>(e, 28), e2z = <f64>load<f32>(e, 32);
  // Geometric normal e1 x e2 in model space, then to world, then turned to face the ray.
  let nx = e1y * e2z - e1z * e2y;
  let ny = e1z * e2x - e1x * e2z;
  let nz = e1x * e2y - e1y * e2x;
  if (instance >= 0) {
    const m = <usize>load<u32>(scene, SCENE_TOP_TRANSFORMS) + <usize>instance * XFORM_BYTES;
    const wx = load<f64>(m) * nx + load<f64>(m, 8) * ny + load<f64>(m, 16) * nz;
    const wy = load<f64>(m, 24) * nx + load<f64>(m, 32) * ny + load<f64>(m, 40) * nz;
    const wz = load<f64>(m, 48) * nx + load<f64>(m, 56) * ny + load<f64>(m, 64) * nz;
    nx = wx; ny = wy; nz = wz;
  }
  let scale = 1 / Math.sqrt(nx * nx + ny * ny + nz * nz);
  if (nx * dx + ny * dy + nz * dz > 0) scale = -scale;
  const cls = load<u8>(<usize>load<u32>(mesh, MESH_CLASSES) + <usize>tri);
  const mat = load<u8>(<usize>load<u32>(mesh, MESH_MATERIALS) + <usize>tri);
  store<f32>(distance, <f32>t);
  // + 0 turns a -0 into 0, so an axis-aligned normal reads exactly [0, 0, 1] and the like.
  store<f32>(normal, <f32>(nx * scale + 0));
  store<f32>(normal, <f32>(ny * scale + 0), 4);
  store<f32>(normal, <f32>(nz * scale + 0), 8);
  store<u32>(instanceId, instance >= 0 ? load<u32>(<usize>load<u32>(scene, SCENE_TOP_IDS) + <usize>instance * 4) : 0);
  store<u32>(triangleId, load<u32>(<usize>load<u32>(mesh, MESH_TRIANGLE_IDS) + <usize>tri * 4));
  store<u8>(classId, cls);
  store<u8>(materialId, mat);
  store<f32>(reflectivity, load<f32>(<usize>load<u32>(scene, SCENE_REFLECTIVITY) + <usize>mat * 4));
}
