/**
 * The GPU raycast kernel, in WGSL: the same two-level traversal as the WebAssembly kernel
 * (assembly/kernel.ts) over the same trees (the CPU's 4-wide BVHs, Bvh4.ts, flattened into
 * storage buffers by GpuScene.ts), one ray per invocation. What differs, and why:
 *
 * - Triangles and instance transforms are tested in float32 (WGSL has no float64): a hit's
 *   distance agrees with the CPU's to about 1e-6 of the range, and a ray within a hair of a
 *   triangle's edge may hit it on one backend and not the other (each triangle is widened by
 *   EDGE_SLACK so that no ray falls through the crack between two).
 * - WGSL does not promise IEEE infinities, so nothing here relies on them: an inverse
 *   direction is clamped to +-1e30 before it is formed (never 1 / 0), the empty slots of a
 *   wide node (a point box at 1e30, whose slab products would overflow) are skipped by their
 *   link instead, and a miss is reported by its instance word, not by an infinite distance.
 *
 * Buffer layouts (GpuScene.ts writes them; change both):
 *   nodes, topNodes  8 vec4 per wide node: min x, y, z, max x, y, z of the four children,
 *                    the four links (int32 bits), one unused; a link >= 0 is the child's first
 *                    slot (node * 32) within its own mesh, as on the CPU
 *   tris             9 float32 per triangle in leaf order: v0, e1, e2
 *   meshes           per mesh-table row: first node (vec4 index), first triangle, count
 *   triInfo          per triangle: original id, class | material << 8, reflectivity bits
 *   instances        per instance in leaf order: rotation rows with the translation in w, then
 *                    mesh row and id
 *   rays             origins (3 per ray), then directions
 *   hits             8 words per ray, in blocks of `count` (structure of arrays): distance,
 *                    normal x, y, z, instance id (MISS on a miss), triangle id, reflectivity,
 *                    class | material << 8
 */
export const WORKGROUP_SIZE = 64;
/** Traversal stack entries per level (mesh, top): the ordered push needs 3 per tree level, plus 1. */
export const GPU_STACK_ENTRIES = 64;
/** Words per ray of the hits buffer (see HitWord). */
export const HIT_WORDS = 8;
export const HitWord = { distance: 0, normal: 1, instanceId: 4, triangleId: 5, reflectivity: 6, classMaterial: 7 } as const;
/** Floats per instance record: three rotation rows with the translation, then mesh row and id (as bits). */
export const INSTANCE_FLOATS = 16;
/** Words of the parameter block. */
export const PARAM_WORDS = 8;

export const TRAVERSAL_WGSL = /* wgsl */ `
const STACK: u32 = ${GPU_STACK_ENTRIES}u;
const MISS: u32 = 0xffffffffu;
const HUGE: f32 = 1e30;
/**
 * Barycentric slack: float32 Moller-Trumbore is not watertight, and a ray through the shared
 * edge of two triangles (a wall quad's diagonal) could miss both and report the wall behind.
 * Each triangle is widened by this fraction instead: 0.1 mm on a 10 m wall, far below a sensor's
 * resolution; of two triangles meeting at an edge the nearer hit wins, as ever.
 */
const EDGE_SLACK: f32 = 1e-5;

struct Params {
  count: u32,
  ignore: u32,
  topCount: u32,
  groupsX: u32,
  tMin: f32,
  tMax: f32,
  unused0: u32,
  unused1: u32,
};
struct Mesh { nodeBase: u32, triBase: u32, triCount: u32, unused: u32 };
struct Instance { row0: vec4<f32>, row1: vec4<f32>, row2: vec4<f32>, mesh: u32, id: u32, unused0: u32, unused1: u32 };

@group(0) @binding(0) var<storage, read> nodes: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> tris: array<f32>;
@group(0) @binding(2) var<storage, read> meshes: array<Mesh>;
@group(0) @binding(3) var<storage, read> triInfo: array<vec4<u32>>;
@group(0) @binding(4) var<storage, read> topNodes: array<vec4<f32>>;
@group(0) @binding(5) var<storage, read> instances: array<Instance>;
@group(0) @binding(6) var<storage, read> rays: array<f32>;
@group(0) @binding(7) var<storage, read_write> hits: array<u32>;
@group(0) @binding(8) var<uniform> params: Params;

var<private> meshLink: array<i32, STACK>;
var<private> meshT: array<f32, STACK>;
var<private> topLink: array<i32, STACK>;
var<private> topT: array<f32, STACK>;
/** Distance of the closest hit found by the last intersectMesh call. */
var<private> hitT: f32;

/** 1 / d, clamped to +-1e30 without ever dividing by (nearly) zero: the CPU's inverse(). */
fn safeInverse(d: f32) -> f32 {
  if (d == 0.0) { return HUGE; }
  if (abs(d) < 1.0 / HUGE) { return select(-HUGE, HUGE, d > 0.0); }
  return 1.0 / d;
}

/** Slab distances to the four children's near planes (x) and far planes, per the ray's signs. */
fn slabs(lo: vec4<f32>, hi: vec4<f32>, o: f32, inv: f32) -> array<vec4<f32>, 2> {
  let a = (lo - vec4<f32>(o)) * inv;
  let b = (hi - vec4<f32>(o)) * inv;
  if (inv >= 0.0) { return array<vec4<f32>, 2>(a, b); }
  return array<vec4<f32>, 2>(b, a);
}

/**
 * The children of a wide node (given as its 7 vec4) that the ray enters between tMin and
 * best, pushed so that the nearest pops first (as the CPU's visitNode); returns the new top.
 */
fn visit(
  stackLink: ptr<private, array<i32, STACK>>, stackT: ptr<private, array<f32, STACK>>, top: u32,
  n0: vec4<f32>, n1: vec4<f32>, n2: vec4<f32>, n3: vec4<f32>, n4: vec4<f32>, n5: vec4<f32>, n6: vec4<f32>,
  o: vec3<f32>, inv: vec3<f32>, tMin: f32, best: f32,
) -> u32 {
  let sx = slabs(n0, n3, o.x, inv.x);
  let sy = slabs(n1, n4, o.y, inv.y);
  let sz = slabs(n2, n5, o.z, inv.z);
  let near = max(max(sx[0], sy[0]), max(sz[0], vec4<f32>(tMin)));
  let far = min(min(sx[1], sy[1]), min(sz[1], vec4<f32>(best)));
  let links = bitcast<vec4<i32>>(n6);
  var sp = top;
  for (var c = 0u; c < 4u; c++) {
    // ~0 is an empty slot (a leaf of no primitives): skipped, its far-away box never tested.
    if (links[c] == -1 || !(near[c] <= far[c])) { continue; }
    if (sp >= STACK) { break; }
    var j = sp;
    while (j > top && (*stackT)[j - 1u] < near[c]) {
      (*stackLink)[j] = (*stackLink)[j - 1u];
      (*stackT)[j] = (*stackT)[j - 1u];
      j--;
    }
    (*stackLink)[j] = links[c];
    (*stackT)[j] = near[c];
    sp++;
  }
  return sp;
}

/** Closest hit of one ray against one mesh (both faces, t in [tMin, tMax)): mesh-relative leaf-order triangle or -1; sets hitT. */
fn intersectMesh(row: u32, o: vec3<f32>, d: vec3<f32>, tMin: f32, tMax: f32) -> i32 {
  hitT = tMax;
  let mesh = meshes[row];
  if (mesh.triCount == 0u) { return -1; }
  let inv = vec3<f32>(safeInverse(d.x), safeInverse(d.y), safeInverse(d.z));
  var best = tMax;
  var hit = -1;
  var sp = 1u;
  meshLink[0] = 0;
  meshT[0] = tMin;
  while (sp > 0u) {
    sp--;
    if (meshT[sp] > best) { continue; }
    let link = meshLink[sp];
    if (link >= 0) {
      let b = mesh.nodeBase + u32(link) / 4u;
      sp = visit(&meshLink, &meshT, sp, nodes[b], nodes[b + 1u], nodes[b + 2u], nodes[b + 3u], nodes[b + 4u], nodes[b + 5u], nodes[b + 6u], o, inv, tMin, best);
      continue;
    }
    // A leaf: ~link packs its first triangle and count (Bvh4.ts). Moller-Trumbore, as the CPU.
    let packed = u32(~link);
    let first = packed >> 4u;
    let end = first + (packed & 15u);
    for (var k = first; k < end; k++) {
      let t9 = (mesh.triBase + k) * 9u;
      let v0 = vec3<f32>(tris[t9], tris[t9 + 1u], tris[t9 + 2u]);
      let e1 = vec3<f32>(tris[t9 + 3u], tris[t9 + 4u], tris[t9 + 5u]);
      let e2 = vec3<f32>(tris[t9 + 6u], tris[t9 + 7u], tris[t9 + 8u]);
      let p = cross(d, e2);
      let det = dot(e1, p);
      if (det == 0.0) { continue; }
      let invDet = 1.0 / det;
      let s = o - v0;
      let u = dot(s, p) * invDet;
      if (u < -EDGE_SLACK || u > 1.0 + EDGE_SLACK) { continue; }
      let q = cross(s, e1);
      let v = dot(d, q) * invDet;
      if (v < -EDGE_SLACK || u + v > 1.0 + EDGE_SLACK) { continue; }
      let t = dot(e2, q) * invDet;
      if (t >= tMin && t < best) {
        best = t;
        hit = i32(k);
      }
    }
  }
  hitT = best;
  return hit;
}

fn noNegativeZero(x: f32) -> f32 { return select(x, 0.0, x == 0.0); }

@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(@builtin(workgroup_id) group: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
  let r = (group.y * params.groupsX + group.x) * ${WORKGROUP_SIZE}u + lane;
  let n = params.count;
  if (r >= n) { return; }
  let o = vec3<f32>(rays[r * 3u], rays[r * 3u + 1u], rays[r * 3u + 2u]);
  let d = vec3<f32>(rays[3u * n + r * 3u], rays[3u * n + r * 3u + 1u], rays[3u * n + r * 3u + 2u]);
  let tMin = params.tMin;
  var best = params.tMax;
  var bestRow = -1;
  var bestTri = -1;
  var bestInstance = -1;
  let staticTri = intersectMesh(0u, o, d, tMin, best);
  if (staticTri >= 0) {
    best = hitT;
    bestTri = staticTri;
    bestRow = 0;
  }
  if (params.topCount > 0u) {
    let inv = vec3<f32>(safeInverse(d.x), safeInverse(d.y), safeInverse(d.z));
    var sp = 1u;
    topLink[0] = 0;
    topT[0] = tMin;
    while (sp > 0u) {
      sp--;
      if (topT[sp] > best) { continue; }
      let link = topLink[sp];
      if (link >= 0) {
        let b = u32(link) / 4u;
        sp = visit(&topLink, &topT, sp, topNodes[b], topNodes[b + 1u], topNodes[b + 2u], topNodes[b + 3u], topNodes[b + 4u], topNodes[b + 5u], topNodes[b + 6u], o, inv, tMin, best);
        continue;
      }
      let packed = u32(~link);
      let first = packed >> 4u;
      let end = first + (packed & 15u);
      for (var i = first; i < end; i++) {
        let inst = instances[i];
        if (inst.id == params.ignore) { continue; }
        // Model-space ray: R^T (o - t), R^T d. Rigid transforms keep t unchanged.
        let p = o - vec3<f32>(inst.row0.w, inst.row1.w, inst.row2.w);
        let lo = p.x * inst.row0.xyz + p.y * inst.row1.xyz + p.z * inst.row2.xyz;
        let ld = d.x * inst.row0.xyz + d.y * inst.row1.xyz + d.z * inst.row2.xyz;
        let tri = intersectMesh(inst.mesh, lo, ld, tMin, best);
        if (tri >= 0) {
          best = hitT;
          bestTri = tri;
          bestRow = i32(inst.mesh);
          bestInstance = i32(i);
        }
      }
    }
  }
  if (bestRow < 0) {
    // Word by word: the normal's block holds 3 words per ray, the others 1.
    hits[${HitWord.distance}u * n + r] = 0u;
    hits[${HitWord.normal}u * n + r * 3u] = 0u;
    hits[${HitWord.normal}u * n + r * 3u + 1u] = 0u;
    hits[${HitWord.normal}u * n + r * 3u + 2u] = 0u;
    hits[${HitWord.instanceId}u * n + r] = MISS;
    hits[${HitWord.triangleId}u * n + r] = MISS;
    hits[${HitWord.reflectivity}u * n + r] = 0u;
    hits[${HitWord.classMaterial}u * n + r] = 0u;
    return;
  }
  let mesh = meshes[u32(bestRow)];
  let t9 = (mesh.triBase + u32(bestTri)) * 9u;
  let e1 = vec3<f32>(tris[t9 + 3u], tris[t9 + 4u], tris[t9 + 5u]);
  let e2 = vec3<f32>(tris[t9 + 6u], tris[t9 + 7u], tris[t9 + 8u]);
  // Geometric normal e1 x e2 in model space, then to world, then turned to face the ray.
  var normal = cross(e1, e2);
  var id = 0u;
  if (bestInstance >= 0) {
    let inst = instances[u32(bestInstance)];
    normal = vec3<f32>(dot(inst.row0.xyz, normal), dot(inst.row1.xyz, normal), dot(inst.row2.xyz, normal));
    id = inst.id;
  }
  normal = normalize(normal);
  if (dot(normal, d) > 0.0) { normal = -normal; }
  let info = triInfo[mesh.triBase + u32(bestTri)];
  hits[${HitWord.distance}u * n + r] = bitcast<u32>(best);
  hits[${HitWord.normal}u * n + r * 3u] = bitcast<u32>(noNegativeZero(normal.x));
  hits[${HitWord.normal}u * n + r * 3u + 1u] = bitcast<u32>(noNegativeZero(normal.y));
  hits[${HitWord.normal}u * n + r * 3u + 2u] = bitcast<u32>(noNegativeZero(normal.z));
  hits[${HitWord.instanceId}u * n + r] = id;
  hits[${HitWord.triangleId}u * n + r] = info.x;
  hits[${HitWord.reflectivity}u * n + r] = info.z;
  hits[${HitWord.classMaterial}u * n + r] = info.y;
}
`;
