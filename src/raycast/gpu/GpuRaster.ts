import type { OpenedDevice } from './GpuDevice.js';
import { writeRowsWithW, type SceneBuffers } from './GpuScene.js';
import { RASTER_BAND_FLOATS, RASTER_INSTANCE_WORDS, RASTER_PARAM_FLOATS, RASTER_WGSL } from './rasterShader.js';

/** Numbers per placed part of a raster request: its mesh's triangles (kernel address), instance id, rotation (9, row-major, world from model), translation (3). */
export const RASTER_PART_VALUES = 14;

/** One rolling-shutter band (or the whole image): its render rows, its view, and the parts placed as they were when it was read. */
export interface RasterBand {
  /** Render rows [start, end). */
  start: number;
  end: number;
  /** Rows of M (the optical axes in the world), then the camera's position. */
  view: number[];
  /** RASTER_PART_VALUES numbers per part. */
  parts: Float64Array;
}

/** What a camera asks of the GPU: a pinhole render's size and intrinsics, its bands, and the static mesh (by its triangles' address). */
export interface RasterRequest {
  width: number;
  height: number;
  fx: number; fy: number; cx: number; cy: number;
  near: number; far: number;
  /** The sun (world, unit): each pixel's cosine to it. */
  sun: number[];
  staticMesh: number;
  bands: RasterBand[];
}

/** Words per render pixel the raster gives back: depth, instance, class | material << 8, then (in a block after) normal x, y, z and sun cosine. */
export const RASTER_WORDS_PER_PIXEL = 7;

const FORMATS: GPUTextureFormat[] = ['r32float', 'r32uint', 'r32uint', 'rgba32float'];
const BYTES = [4, 4, 4, 16];

/**
 * The visibility raster on the GPU thread (rasterShader.ts): draws a request's bands into the
 * four targets and reads them back into `out` (RASTER_WORDS_PER_PIXEL words a pixel, target by
 * target: all depths, then all instances, class words, and normals with the sun's cosine, 4
 * words each). Targets and buffers are kept for the next image of the same size.
 */
export class GpuRaster {
  private targets: { key: string; views: GPUTextureView[]; textures: GPUTexture[]; depth: GPUTexture; readback: GPUBuffer; rowBytes: number[] } | undefined;
  private instances: GPUBuffer | undefined;
  private bands: GPUBuffer | undefined;
  private readonly params: GPUBuffer;

  private constructor(private readonly gpu: OpenedDevice, private readonly pipeline: GPURenderPipeline) {
    this.params = gpu.device.createBuffer({ size: RASTER_PARAM_FLOATS * 4, usage: gpu.constants.GPUBufferUsage.UNIFORM | gpu.constants.GPUBufferUsage.COPY_DST });
  }

  static async create(gpu: OpenedDevice): Promise<GpuRaster> {
    const { device } = gpu;
    device.pushErrorScope('validation');
    const module = device.createShaderModule({ code: RASTER_WGSL });
    const pipeline = await device.createRenderPipelineAsync({
      layout: 'auto',
      vertex: { module, entryPoint: 'vertexMain' },
      fragment: { module, entryPoint: 'fragmentMain', targets: FORMATS.map((format) => ({ format })) },
      primitive: { topology: 'triangle-list', cullMode: 'none' },
      depthStencil: { format: 'depth32float', depthWriteEnabled: true, depthCompare: 'greater' },
    });
    const error = await device.popErrorScope();
    if (error) throw new Error(`the GPU raster shader did not compile: ${error.message}`);
    return new GpuRaster(gpu, pipeline);
  }

  /** Draws the request over the scene's triangles (`meshAt`: a mesh's first triangle and count in them, by its kernel address). */
  async draw(scene: SceneBuffers, meshAt: ReadonlyMap<number, { first: number; count: number }>, request: RasterRequest, out: Uint32Array): Promise<void> {
    const { device, constants } = this.gpu;
    const { width, height } = request;
    device.pushErrorScope('validation');
    const targets = this.ready(width, height);
    const mesh = (address: number): { first: number; count: number } => {
      const found = meshAt.get(address);
      if (!found) throw new Error(`the GPU raster: a part's mesh (at ${address}) is not among the scene's meshes`);
      return found;
    };
    const staticMesh = mesh(request.staticMesh);
    // Per band: its static record, then its parts grouped by mesh (a draw a group).
    const draws: { band: number; first: number; instances: number; count: number }[] = [];
    const records: { first: number; id: number; band: number; values: Float64Array; at: number }[] = [];
    request.bands.forEach((band, b) => {
      draws.push({ band: b, first: records.length, instances: 1, count: staticMesh.count });
      records.push({ first: staticMesh.first, id: 0, band: b, values: IDENTITY, at: 0 });
      const byMesh = new Map<number, number[]>();
      for (let o = 0; o < band.parts.length; o += RASTER_PART_VALUES) {
        const list = byMesh.get(band.parts[o]);
        if (list) list.push(o);
        else byMesh.set(band.parts[o], [o]);
      }
      for (const [address, offsets] of byMesh) {
        const m = mesh(address);
        if (m.count === 0) continue;
        draws.push({ band: b, first: records.length, instances: offsets.length, count: m.count });
        for (const o of offsets) records.push({ first: m.first, id: band.parts[o + 1], band: b, values: band.parts, at: o + 2 });
      }
    });
    const words = new Uint32Array(records.length * RASTER_INSTANCE_WORDS);
    const floats = new Float32Array(words.buffer);
    records.forEach((r, k) => {
      const o = k * RASTER_INSTANCE_WORDS;
      writeRowsWithW(floats, o, r.values, r.at);
      words[o + 12] = r.first;
      words[o + 13] = r.id;
      words[o + 14] = r.band;
    });
    const bandFloats = new Float32Array(request.bands.length * RASTER_BAND_FLOATS);
    request.bands.forEach((band, b) => writeRowsWithW(bandFloats, b * RASTER_BAND_FLOATS, band.view, 0));
    this.instances = this.fit(this.instances, words.byteLength);
    this.bands = this.fit(this.bands, bandFloats.byteLength);
    device.queue.writeBuffer(this.instances, 0, words.buffer, 0, words.byteLength);
    device.queue.writeBuffer(this.bands, 0, bandFloats.buffer, 0, bandFloats.byteLength);
    const { fx, fy, cx, cy, near, far, sun } = request;
    device.queue.writeBuffer(this.params, 0, new Float32Array([fx, fy, cx, cy, width, height, near, far, sun[0], sun[1], sun[2], 0]).buffer);
    const bindGroup = device.createBindGroup({
      layout: this.pipeline.getBindGroupLayout(0),
      entries: [scene.tris, scene.triInfo, this.instances, this.bands, this.params].map((buffer, binding) => ({ binding, resource: { buffer } })),
    });
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginRenderPass({
      colorAttachments: targets.views.map((view) => ({ view, loadOp: 'clear', storeOp: 'store', clearValue: { r: 0, g: 0, b: 0, a: 0 } })),
      depthStencilAttachment: { view: targets.depth.createView(), depthLoadOp: 'clear', depthStoreOp: 'discard', depthClearValue: 0 },
    });
    pass.setPipeline(this.pipeline);
    pass.setBindGroup(0, bindGroup);
    for (const d of draws) {
      const band = request.bands[d.band];
      if (band.end <= band.start) continue;
      pass.setScissorRect(0, band.start, width, band.end - band.start);
      pass.draw(3 * d.count, d.instances, 0, d.first);
    }
    pass.end();
    let at = 0;
    targets.textures.forEach((texture, k) => {
      encoder.copyTextureToBuffer({ texture }, { buffer: targets.readback, offset: at, bytesPerRow: targets.rowBytes[k] }, { width, height });
      at += targets.rowBytes[k] * height;
    });
    device.queue.submit([encoder.finish()]);
    const error = await device.popErrorScope();
    if (error) throw new Error(`the GPU raster failed: ${error.message}`);
    await targets.readback.mapAsync(constants.GPUMapMode.READ, 0, at);
    const mapped = new Uint32Array(targets.readback.getMappedRange(0, at));
    // Row padding dropped: each target's rows one after another, then the next target.
    let from = 0, to = 0;
    targets.textures.forEach((_, k) => {
      const rowWords = (width * BYTES[k]) / 4, strideWords = targets.rowBytes[k] / 4;
      for (let row = 0; row < height; row++) out.set(mapped.subarray(from + row * strideWords, from + row * strideWords + rowWords), to + row * rowWords);
      from += strideWords * height;
      to += rowWords * height;
    });
    targets.readback.unmap();
  }

  private ready(width: number, height: number): NonNullable<GpuRaster['targets']> {
    const key = `${width}x${height}`;
    if (this.targets?.key === key) return this.targets;
    this.destroyTargets();
    const { device, constants } = this.gpu;
    const { RENDER_ATTACHMENT, COPY_SRC } = constants.GPUTextureUsage;
    const textures = FORMATS.map((format) => device.createTexture({ size: { width, height }, format, usage: RENDER_ATTACHMENT | COPY_SRC }));
    const depth = device.createTexture({ size: { width, height }, format: 'depth32float', usage: RENDER_ATTACHMENT });
    // copyTextureToBuffer wants rows of a multiple of 256 bytes.
    const rowBytes = BYTES.map((b) => Math.ceil((width * b) / 256) * 256);
    const total = rowBytes.reduce((sum, r) => sum + r * height, 0);
    const readback = device.createBuffer({ size: total, usage: constants.GPUBufferUsage.MAP_READ | constants.GPUBufferUsage.COPY_DST });
    this.targets = { key, textures, views: textures.map((t) => t.createView()), depth, readback, rowBytes };
    return this.targets;
  }

  /** A storage buffer of at least `bytes`, grown by doubling. */
  private fit(buffer: GPUBuffer | undefined, bytes: number): GPUBuffer {
    if (buffer && buffer.size >= bytes) return buffer;
    buffer?.destroy();
    const { GPUBufferUsage } = this.gpu.constants;
    return this.gpu.device.createBuffer({ size: Math.max(256, 2 ** Math.ceil(Math.log2(bytes))), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
  }

  private destroyTargets(): void {
    if (!this.targets) return;
    for (const t of this.targets.textures) t.destroy();
    this.targets.depth.destroy();
    this.targets.readback.destroy();
    this.targets = undefined;
  }
}

/** The static mesh's placement (rotation rows, translation): in the world as it is. */
const IDENTITY = new Float64Array([1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0]);
