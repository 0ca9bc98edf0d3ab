import type { OpenedDevice } from './GpuDevice.js';
import type { SceneBuffers } from './GpuScene.js';
import { HIT_WORDS, PARAM_WORDS, TRAVERSAL_WGSL, WORKGROUP_SIZE } from './traversalShader.js';

/** Workgroups per dispatch dimension (WebGPU's guaranteed minimum of maxComputeWorkgroupsPerDimension). */
const MAX_GROUPS_PER_DIMENSION = 65535;
/** An upper bound for tMax the kernel can hold without an infinity (WGSL does not promise them). */
const FAR = 1e30;

/** One batch for the kernel: `count` rays, origins then directions (3 floats each). */
export interface GpuBatch {
  rays: Float32Array;
  count: number;
  tMin: number;
  tMax: number;
  /** The instance id whose hits are skipped (0xffffffff: none). */
  ignore: number;
}

/**
 * The compiled traversal shader and the per-batch buffers (rays in, hits out, a read-back
 * copy), grown by doubling. `cast` uploads a batch, dispatches one invocation per ray and
 * reads the hits back: 8 words per ray in the layout of traversalShader.ts.
 */
export class GpuKernel {
  private readonly pipeline: GPUComputePipeline;
  private readonly params: GPUBuffer;
  private capacity = 0;
  private rays!: GPUBuffer;
  private hits!: GPUBuffer;
  private readback!: GPUBuffer;
  private bindGroup: GPUBindGroup | undefined;
  private boundGeneration = -1;

  private constructor(private readonly gpu: OpenedDevice, pipeline: GPUComputePipeline) {
    this.pipeline = pipeline;
    const { GPUBufferUsage } = gpu.constants;
    this.params = gpu.device.createBuffer({ size: PARAM_WORDS * 4, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  }

  static async create(gpu: OpenedDevice): Promise<GpuKernel> {
    const { device } = gpu;
    device.pushErrorScope('validation');
    const module = device.createShaderModule({ code: TRAVERSAL_WGSL });
    const pipeline = await device.createComputePipelineAsync({ layout: 'auto', compute: { module, entryPoint: 'main' } });
    const error = await device.popErrorScope();
    if (error) throw new Error(`the GPU raycast shader did not compile: ${error.message}`);
    return new GpuKernel(gpu, pipeline);
  }

  /** Casts the batch against the scene's buffers; resolves to the hits (8 words per ray, blocks of `count`). */
  async cast(scene: SceneBuffers, batch: GpuBatch, out: Uint32Array): Promise<void> {
    const { device, constants } = this.gpu;
    const n = batch.count;
    if (n === 0) return;
    device.pushErrorScope('validation');
    this.grow(n);
    if (this.boundGeneration !== scene.generation || !this.bindGroup) {
      this.bindGroup = device.createBindGroup({
        layout: this.pipeline.getBindGroupLayout(0),
        entries: [scene.nodes, scene.tris, scene.meshes, scene.triInfo, scene.topNodes, scene.instances, this.rays, this.hits, this.params]
          .map((buffer, binding) => ({ binding, resource: { buffer } })),
      });
      this.boundGeneration = scene.generation;
    }
    const groups = Math.ceil(n / WORKGROUP_SIZE);
    const groupsX = Math.min(groups, MAX_GROUPS_PER_DIMENSION);
    const groupsY = Math.ceil(groups / groupsX);
    const params = new ArrayBuffer(PARAM_WORDS * 4);
    const words = new Uint32Array(params);
    const floats = new Float32Array(params);
    words[0] = n;
    words[1] = batch.ignore >>> 0;
    words[2] = scene.topCount;
    words[3] = groupsX;
    floats[4] = batch.tMin;
    floats[5] = Math.min(batch.tMax, FAR);
    device.queue.writeBuffer(this.params, 0, params);
    const rays = batch.rays.buffer instanceof ArrayBuffer ? batch.rays : batch.rays.slice();
    device.queue.writeBuffer(this.rays, 0, rays.buffer, rays.byteOffset, n * 6 * 4);
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(this.pipeline);
    pass.setBindGroup(0, this.bindGroup);
    pass.dispatchWorkgroups(groupsX, groupsY);
    pass.end();
    const bytes = n * HIT_WORDS * 4;
    encoder.copyBufferToBuffer(this.hits, 0, this.readback, 0, bytes);
    device.queue.submit([encoder.finish()]);
    const error = await device.popErrorScope();
    if (error) throw new Error(`the GPU raycast failed: ${error.message}`);
    await this.readback.mapAsync(constants.GPUMapMode.READ, 0, bytes);
    out.set(new Uint32Array(this.readback.getMappedRange(0, bytes)));
    this.readback.unmap();
  }

  private grow(n: number): void {
    if (n <= this.capacity) return;
    const { device, constants } = this.gpu;
    const { GPUBufferUsage } = constants;
    this.capacity = Math.max(n, 2 * this.capacity, 1024);
    this.rays?.destroy();
    this.hits?.destroy();
    this.readback?.destroy();
    this.rays = device.createBuffer({ size: this.capacity * 6 * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
    this.hits = device.createBuffer({ size: this.capacity * HIT_WORDS * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
    this.readback = device.createBuffer({ size: this.capacity * HIT_WORDS * 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    this.bindGroup = undefined;
  }
}
