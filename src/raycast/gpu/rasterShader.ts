/**
 * The GPU's visibility raster, in WGSL: a pinhole view of the scene's triangles (the very
 * triangles the GPU raycaster traverses, GpuScene.ts's `tris` and `triInfo`) into four
 * targets a camera resolves its pixels from: the depth along the optical axis, the instance
 * id, class | material << 8, and the world normal facing the camera with its cosine to the sun.
 * What the CPU's rasteriser (sensors/camera/Rasterizer.ts) gives, to float32 precision, and
 * why it matches:
 *
 * - Pixel (col, row) is centred at (u, v) = (col, row), where the framebuffer's is at
 *   (col + 0.5, row + 0.5): the projection adds the half pixel.
 * - A fragment's depth is solved from its triangle's plane along the pixel's ray, as the CPU
 *   does, not interpolated: a software rasteriser's interpolation over a huge triangle (the
 *   ground under the car, clipped far outside the view) put it centimetres off.
 * - Depth is reversed (near / z in the depth buffer, compare `greater`, cleared to 0), so a
 *   float32 depth keeps the same relative precision at every range: a lane marking a few
 *   millimetres over the road stays in front of it at 200 m. The far limit is a discard (the
 *   CPU's clear value 1 / far draws nothing beyond it either); the near plane clips.
 * - Both faces are drawn, the normal turned toward the camera, as the CPU does; the first
 *   triangle drawn keeps a tie (a strict compare on both).
 * - Vertices are pulled from the storage buffers by vertex and instance index: instance
 *   records name their first triangle, and each draw covers one mesh's triangles for the
 *   instances placed with it. Each record names its rolling-shutter band, whose view the
 *   vertex takes; the band's rows are the draw's scissor.
 *
 * Layouts (GpuRaster.ts writes them; change both):
 *   instances  16 words each: rotation rows (world from model) with the translation in w,
 *              then first triangle, instance id, band, unused
 *   bands      12 floats each: rows of M (optical axes in the world) with the camera position in w
 *   params     fx, fy, cx, cy; width, height, near, far; the sun (world, unit), unused
 */
export const RASTER_INSTANCE_WORDS = 16;
export const RASTER_BAND_FLOATS = 12;
export const RASTER_PARAM_FLOATS = 12;

export const RASTER_WGSL = /* wgsl */ `
struct Instance { r0: vec4f, r1: vec4f, r2: vec4f, info: vec4u }
struct Band { m0: vec4f, m1: vec4f, m2: vec4f }
struct Params { intrinsics: vec4f, size: vec4f, sun: vec4f }

@group(0) @binding(0) var<storage, read> tris: array<f32>;
@group(0) @binding(1) var<storage, read> triInfo: array<u32>;
@group(0) @binding(2) var<storage, read> instances: array<Instance>;
@group(0) @binding(3) var<storage, read> bands: array<Band>;
@group(0) @binding(4) var<uniform> params: Params;

struct Varyings {
  @builtin(position) position: vec4f,
  @location(0) @interpolate(flat) plane: vec4f,
  @location(1) @interpolate(flat) ids: vec2u,
  @location(2) @interpolate(flat) normal: vec4f,
}

struct Targets {
  @builtin(frag_depth) depth: f32,
  @location(0) z: f32,
  @location(1) instance: u32,
  @location(2) classMaterial: u32,
  @location(3) normal: vec4f,
}

fn toWorld(inst: Instance, p: vec3f) -> vec3f {
  return vec3f(dot(inst.r0.xyz, p) + inst.r0.w, dot(inst.r1.xyz, p) + inst.r1.w, dot(inst.r2.xyz, p) + inst.r2.w);
}

fn toCamera(band: Band, w: vec3f) -> vec3f {
  let d = w - vec3f(band.m0.w, band.m1.w, band.m2.w);
  return vec3f(dot(band.m0.xyz, d), dot(band.m1.xyz, d), dot(band.m2.xyz, d));
}

@vertex
fn vertexMain(@builtin(vertex_index) vertex: u32, @builtin(instance_index) index: u32) -> Varyings {
  let inst = instances[index];
  let band = bands[inst.info.z];
  let tri = inst.info.x + vertex / 3u;
  let o = tri * 9u;
  let p = vec3f(tris[o], tris[o + 1u], tris[o + 2u]);
  let e1 = vec3f(tris[o + 3u], tris[o + 4u], tris[o + 5u]);
  let e2 = vec3f(tris[o + 6u], tris[o + 7u], tris[o + 8u]);
  let c0 = toCamera(band, toWorld(inst, p));
  let c1 = toCamera(band, toWorld(inst, p + e1));
  let c2 = toCamera(band, toWorld(inst, p + e2));
  let corner = vertex % 3u;
  var c = c0;
  if (corner == 1u) { c = c1; } else if (corner == 2u) { c = c2; }
  let k = params.intrinsics;
  let s = params.size;
  var out: Varyings;
  out.position = vec4f(
    2.0 * (k.x * c.x + (k.z + 0.5) * c.z) / s.x - c.z,
    c.z - 2.0 * (k.y * c.y + (k.w + 0.5) * c.z) / s.y,
    s.z,
    c.z,
  );
  // The face's plane n . p = d in the camera frame: each fragment's depth is solved from it.
  let n = cross(c1 - c0, c2 - c0);
  let d = dot(n, c0);
  out.plane = vec4f(n, d);
  // The normal toward the camera (at the origin of this frame), then in the world: M^T n.
  let facing = select(1.0, -1.0, d > 0.0) / max(length(n), 1e-30);
  let nw = facing * (band.m0.xyz * n.x + band.m1.xyz * n.y + band.m2.xyz * n.z);
  out.normal = vec4f(nw, dot(nw, params.sun.xyz));
  out.ids = vec2u(inst.info.y, triInfo[tri * 4u + 1u]);
  return out;
}

@fragment
fn fragmentMain(v: Varyings) -> Targets {
  // The pixel's ray through its centre (u, v) = framebuffer position - 0.5, met by the plane.
  let k = params.intrinsics;
  let ray = vec3f((v.position.x - 0.5 - k.z) / k.x, (v.position.y - 0.5 - k.w) / k.y, 1.0);
  let z = v.plane.w / dot(v.plane.xyz, ray);
  if (!(z >= params.size.z) || z > params.size.w) { discard; }
  return Targets(params.size.z / z, z, v.ids.x, v.ids.y, v.normal);
}
`;
