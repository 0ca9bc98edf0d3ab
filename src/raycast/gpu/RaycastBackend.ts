import { UserError } from '../../core/errors.js';
import type { RaycastScene } from '../RaycastScene.js';
import { GpuRaycaster, openGpuAdapter, type GpuAdapterInfo, type GpuOptions } from './GpuRaycaster.js';

/**
 * Which raycaster the range sensors (LiDAR, radar) use: `cpu` the WebAssembly kernel (and
 * its pool), `gpu` the WebGPU one on whatever adapter there is (a software one included: it
 * is how the tests run it), `auto` the GPU when a hardware adapter exists and the CPU
 * otherwise. An explicit `gpu` without an adapter is an error, never a silent fall back.
 */
export const RAYCAST_BACKENDS = ['cpu', 'gpu', 'auto'] as const;
export type RaycastBackendName = (typeof RAYCAST_BACKENDS)[number];

/** What a run raycasts on, for its log line and its recording's metadata. */
export interface RaycastBackendInfo {
  backend: 'cpu' | 'gpu';
  /** The GPU adapter's name, when on the GPU. */
  adapter?: string;
  /** Whether that adapter is a software one (SwiftShader). */
  software?: boolean;
  /** Why `auto` chose the CPU. */
  reason?: string;
}

export interface RaycastBackendChoice {
  info: RaycastBackendInfo;
  /** The GPU raycaster to hand the scene's ranging casts to (close it when done). */
  gpu?: GpuRaycaster;
}

export function checkBackendName(name: string, where = '--backend'): RaycastBackendName {
  if (!(RAYCAST_BACKENDS as readonly string[]).includes(name)) throw new UserError(`is "${name}"; expected one of ${RAYCAST_BACKENDS.join(', ')}`, where);
  return name as RaycastBackendName;
}

function describe(adapter: GpuAdapterInfo): RaycastBackendInfo {
  return { backend: 'gpu', adapter: adapter.name, software: adapter.software };
}

/**
 * Opens the backend asked for over `scene`. `gpu` with no adapter throws a UserError that says
 * what is missing (GpuDevice.ts); `auto` then takes the CPU and says why in `reason`.
 */
export async function openRaycastBackend(scene: RaycastScene, name: RaycastBackendName, options: GpuOptions = {}): Promise<RaycastBackendChoice> {
  checkBackendName(name, 'backend');
  if (name === 'cpu') return { info: { backend: 'cpu' } };
  let gpu: GpuRaycaster;
  try {
    gpu = await GpuRaycaster.open(scene, options);
  } catch (error) {
    if (name === 'gpu') throw new UserError((error as Error).message, '--backend gpu');
    return { info: { backend: 'cpu', reason: (error as Error).message } };
  }
  if (name === 'auto' && gpu.adapter.software) {
    gpu.close();
    return { info: { backend: 'cpu', reason: `only a software GPU adapter (${gpu.adapter.name}), slower than the CPU` } };
  }
  return { info: describe(gpu.adapter), gpu };
}

/**
 * What `openRaycastBackend` would choose, without a scene: a sweep asks once before it
 * starts, so that `--backend gpu` without an adapter fails before any run.
 */
export async function probeRaycastBackend(name: RaycastBackendName, options: GpuOptions = {}): Promise<RaycastBackendInfo> {
  checkBackendName(name, 'backend');
  if (name === 'cpu') return { backend: 'cpu' };
  let adapter: GpuAdapterInfo;
  try {
    adapter = await openGpuAdapter(options);
  } catch (error) {
    if (name === 'gpu') throw new UserError((error as Error).message, '--backend gpu');
    return { backend: 'cpu', reason: (error as Error).message };
  }
  if (name === 'auto' && adapter.software) return { backend: 'cpu', reason: `only a software GPU adapter (${adapter.name}), slower than the CPU` };
  return describe(adapter);
}

/** One line for a run's log: what the LiDAR and radar raycast on. */
export function describeBackend(info: RaycastBackendInfo): string {
  if (info.backend === 'cpu') return `Raycasting on the CPU${info.reason ? ` (no GPU used: ${info.reason})` : ''}`;
  return `Raycasting LiDAR and radar on the GPU: ${info.adapter}${info.software ? ' (a software adapter: correct, not fast)' : ''}; cameras rasterise there, shaded on the CPU`;
}
