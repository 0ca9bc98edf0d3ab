import type { Appearance } from '../../core/materials.js';
import type { RaycastScene } from '../../raycast/RaycastScene.js';
import { ambientOcclusion } from './AmbientOcclusion.js';
import { CornerSamples, SKY } from './AntiAliasing.js';
import type { CameraView } from './CameraView.js';
import { Sky } from './Sky.js';
import { SampleBuffers, SurfaceShader } from './SurfaceShading.js';
import { exposureScale, toneMap } from './ToneMapping.js';

/** What the realistic shader needs of each camera pixel (centre samples). */
export interface RealisticInput {
  width: number;
  height: number;
  /** Unit ray per pixel (optical frame) on which the surface point lies. */
  rays: Float32Array;
  /** Distance along the ray (m), Infinity for sky. */
  range: Float32Array;
  /** World unit normal facing the camera, 3 per pixel. */
  normal: Float32Array;
  material: Uint8Array;
  instance: Uint32Array;
  classId: Uint8Array;
  viewOfPixel: (i: number) => CameraView;
  /** Focal length in pixels (for the occlusion radius on screen). */
  focal: number;
  appearanceOf: readonly (Appearance | undefined)[];
  shadows: { scene: RaycastScene; ignoreInstanceId: number } | undefined;
  /** The corner samples and where each pixel's centre lies in the render; absent: no anti-aliasing. */
  corners?: { samples: CornerSamples; source: Int32Array | undefined; far: number; viewOfCornerRow: (row: number) => CameraView };
}

/**
 * The camera's realistic RGB: physically based shading in linear light under a Preetham sky,
 * anti-aliased with corner samples, exposed, tone-mapped (ACES fitted) and sRGB-encoded.
 */
export class RealisticShader {
  readonly sky: Sky;
  readonly exposure: number;
  private readonly surface: SurfaceShader;
  private readonly centres: SampleBuffers;
  private readonly linear: Float32Array;
  private readonly pixelOfSample: Uint32Array;
  private readonly shaded: Float32Array;
  private readonly masks: Uint8Array;
  private cornerSamples: SampleBuffers | undefined;
  private cornerShaded: Float32Array | undefined;
  /** Full-image position and occlusion buffers (AO reads neighbours by pixel). */
  private readonly pos: Float32Array;
  private readonly ao: Float32Array;
  /** Corner samples shaded on their own in the last frame. */
  cornersShaded = 0;

  constructor(pixels: number, sun: readonly number[], turbidity: number, exposureBias: number, readonly fogDistance: number) {
    this.sky = new Sky(turbidity, sun);
    this.exposure = exposureScale(this.sky.horizontalIlluminance, exposureBias);
    this.surface = new SurfaceShader(this.sky, pixels);
    this.centres = new SampleBuffers(pixels);
    this.linear = new Float32Array(pixels * 3);
    this.pixelOfSample = new Uint32Array(pixels);
    this.shaded = new Float32Array(pixels * 3);
    this.masks = new Uint8Array(pixels);
    this.pos = new Float32Array(pixels * 3);
    this.ao = new Float32Array(pixels);
  }

  /** Shadow rays of the last frame (centres and corners). */
  get shadowRays(): number {
    return this.surface.shadowRays;
  }

  shade(input: RealisticInput): Uint8Array {
    const { width, height, rays, range, normal } = input;
    const n = width * height;
    const c = this.centres, linear = this.linear, pos = this.pos;
    const dir = [0, 0, 0];
    let count = 0;
    let shadowRays = 0;
    for (let i = 0; i < n; i++) {
      const view = input.viewOfPixel(i);
      const m = view.m, o = i * 3;
      const rx = rays[o], ry = rays[o + 1], rz = rays[o + 2];
      dir[0] = m[0] * rx + m[3] * ry + m[6] * rz;
      dir[1] = m[1] * rx + m[4] * ry + m[7] * rz;
      dir[2] = m[2] * rx + m[5] * ry + m[8] * rz;
      const t = range[i];
      if (t === Infinity) {
        this.surface.skyRadiance(dir[0], dir[1], dir[2], linear, o);
        continue;
      }
      pos[o] = view.position[0] + t * dir[0]; pos[o + 1] = view.position[1] + t * dir[1]; pos[o + 2] = view.position[2] + t * dir[2];
      const q = count * 3;
      c.pos[q] = pos[o]; c.pos[q + 1] = pos[o + 1]; c.pos[q + 2] = pos[o + 2];
      c.view[q] = -dir[0]; c.view[q + 1] = -dir[1]; c.view[q + 2] = -dir[2];
      c.normal[q] = normal[o]; c.normal[q + 1] = normal[o + 1]; c.normal[q + 2] = normal[o + 2];
      c.range[count] = t;
      c.material[count] = input.material[i];
      c.instance[count] = input.instance[i];
      this.pixelOfSample[count++] = i;
    }
    c.count = count;
    ambientOcclusion(width, height, pos, normal, range, input.focal, this.ao);
    for (let j = 0; j < count; j++) c.ao[j] = this.ao[this.pixelOfSample[j]];
    this.surface.castShadows(c, input.shadows?.scene, input.shadows?.ignoreInstanceId ?? -1);
    shadowRays += this.surface.shadowRays;
    this.surface.shade(c, input.appearanceOf, this.fogDistance, this.shaded);
    for (let j = 0; j < count; j++) {
      const o = this.pixelOfSample[j] * 3, q = j * 3;
      linear[o] = this.shaded[q]; linear[o + 1] = this.shaded[q + 1]; linear[o + 2] = this.shaded[q + 2];
    }
    this.cornersShaded = 0;
    if (input.corners) shadowRays += this.antiAlias(input, input.corners);
    this.surface.shadowRays = shadowRays;
    const rgb = new Uint8Array(n * 3);
    toneMap(linear, this.exposure, rgb);
    return rgb;
  }

  /** Shades the corners some pixel needs and blends them in; returns the shadow rays cast. */
  private antiAlias(input: RealisticInput, corners: NonNullable<RealisticInput['corners']>): number {
    const { samples: cs, source, far, viewOfCornerRow } = corners;
    const n = input.width * input.height;
    if (!this.cornerSamples) {
      const size = cs.target.width * cs.target.height;
      this.cornerSamples = new SampleBuffers(size);
      this.cornerShaded = new Float32Array(size * 3);
    }
    const samples = this.cornerSamples, shaded = this.cornerShaded!;
    cs.gather(
      { range: input.range, pos: this.pos, normal: input.normal, material: input.material, instance: input.instance, classId: input.classId, ao: this.ao },
      n, source, far, viewOfCornerRow, this.masks, samples,
    );
    this.surface.castShadows(samples, input.shadows?.scene, input.shadows?.ignoreInstanceId ?? -1);
    const rays = this.surface.shadowRays;
    this.surface.shade(samples, input.appearanceOf, this.fogDistance, shaded);
    this.cornersShaded = samples.count;
    const tw = cs.target.width, slot = cs.slot, colour = cs.colour;
    const dir = [0, 0, 0];
    for (let c = 0; c < slot.length; c++) {
      const j = slot[c];
      if (j === -1) continue;
      if (j === SKY) {
        const cv = (c / tw) | 0;
        cs.direction(c - cv * tw, cv, viewOfCornerRow(cv), dir);
        this.surface.skyRadiance(dir[0], dir[1], dir[2], colour, c * 3);
        continue;
      }
      colour[c * 3] = shaded[j * 3]; colour[c * 3 + 1] = shaded[j * 3 + 1]; colour[c * 3 + 2] = shaded[j * 3 + 2];
    }
    cs.resolve(this.linear, n, source, this.masks);
    return rays;
  }
}
