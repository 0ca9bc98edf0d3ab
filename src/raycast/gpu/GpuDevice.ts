import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The process's one WebGPU device, from Dawn's Node binding (npm `webgpu`). Runs on the GPU
 * thread (GpuWorker.ts), never on the simulation's.
 *
 * The object `create()` returns is kept in a module-level variable for the life of the
 * process, on purpose: if it is garbage-collected while a device made from it lives, Dawn
 * frees what the device still uses and the process segfaults (seen with webgpu 0.6.2). The
 * device is never destroyed for the same reason; the thread is unreferenced instead, so it
 * does not keep the process alive.
 */

/** What the simulation is told about the adapter. */
export interface GpuAdapterInfo {
  /** Vendor, architecture and driver, e.g. "google swiftshader (SwiftShader driver 5.0.0)". */
  name: string;
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** A software (fallback) adapter such as SwiftShader: right answers, no speed. */
  software: boolean;
}

export interface OpenedDevice {
  device: GPUDevice;
  info: GpuAdapterInfo;
  /** The binding's constants (GPUBufferUsage, GPUMapMode, ...), which Node has no globals for. */
  constants: { GPUBufferUsage: Record<string, number>; GPUMapMode: Record<string, number>; GPUShaderStage: Record<string, number>; GPUTextureUsage: Record<string, number> };
}

/** Every object `create()` returned, kept alive with the process (see above), failed opens' too. */
const kept: GPU[] = [];
let opened: { filter: string; promise: Promise<OpenedDevice> } | undefined;

/**
 * Opens the device once per process; `adapter` picks, by a substring of its name, among
 * several visible adapters (Dawn's `adapter=` toggle). A second call with another filter fails:
 * there is one device per process.
 */
export function openDevice(adapter = ''): Promise<OpenedDevice> {
  if (opened) {
    if (opened.filter !== adapter) {
      return Promise.reject(new Error(`the GPU is already open on adapter filter "${opened.filter}"; one adapter per process (asked for "${adapter}")`));
    }
    return opened.promise;
  }
  const promise = open(adapter);
  opened = { filter: adapter, promise };
  // A failed open may be retried (a test points the Vulkan loader elsewhere and tries again).
  promise.catch(() => {
    if (opened?.promise === promise) opened = undefined;
  });
  return promise;
}

async function open(adapter: string): Promise<OpenedDevice> {
  let binding: typeof import('webgpu');
  try {
    binding = await import('webgpu');
  } catch (error) {
    throw new Error(`the GPU backend needs the npm package webgpu (Dawn), which did not load: ${(error as Error).message.split('\n')[0]}. Install it with npm install webgpu@0.6.2`);
  }
  // What can be told for certain before Dawn tries (and prints its own warnings on the way).
  const missing = missingVulkan();
  if (missing) throw new Error(`no WebGPU adapter: ${missing}. ${SOFTWARE_HINT}`);
  const gpu = binding.create(adapter ? [`adapter=${adapter}`] : []);
  kept.push(gpu);
  let found: GPUAdapter | null;
  try {
    found = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (error) {
    // Dawn rejects when no adapter matches the filter, listing those it saw.
    const seen = [...(error as Error).message.matchAll(/name: '([^']*)'/g)].map((m) => m[1]);
    if (adapter) throw new Error(`no WebGPU adapter whose name contains "${adapter}" (adapters seen: ${seen.join(', ') || 'none'})`);
    throw new Error(`no WebGPU adapter: ${(error as Error).message.split('\n')[0]}`);
  }
  if (!found) throw new Error(noAdapterMessage(adapter));
  const raw = found.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
  const text = `${raw.vendor} ${raw.architecture} ${raw.device} ${raw.description}`;
  const info: GpuAdapterInfo = {
    name: `${raw.vendor || 'unknown vendor'} ${raw.architecture || ''}`.trim() + (raw.description ? ` (${raw.description})` : ''),
    vendor: raw.vendor,
    architecture: raw.architecture,
    device: raw.device,
    description: raw.description,
    // The spec moved the flag onto the info; software Vulkan drivers are named in case it is absent.
    software: raw.isFallbackAdapter === true || (found as { isFallbackAdapter?: boolean }).isFallbackAdapter === true || /swiftshader|llvmpipe|lavapipe/i.test(text),
  };
  const device = await found.requestDevice();
  const globals = binding.globals as OpenedDevice['constants'];
  return { device, info, constants: { GPUBufferUsage: globals.GPUBufferUsage, GPUMapMode: globals.GPUMapMode, GPUShaderStage: globals.GPUShaderStage, GPUTextureUsage: globals.GPUTextureUsage } };
}

/** Where the dynamic loader looks for libvulkan.so.1 without LD_LIBRARY_PATH (Debian and most others). */
const SYSTEM_LIBRARY_DIRS = ['/usr/lib/x86_64-linux-gnu', '/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/lib/aarch64-linux-gnu', '/usr/lib64', '/lib64', '/usr/lib', '/lib', '/usr/local/lib'];

const SOFTWARE_HINT = 'For the software adapter (tests): LD_LIBRARY_PATH=/usr/lib/chromium VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json (SwiftShader from Debian\'s chromium), set before node starts';

/**
 * The Vulkan loader (libvulkan.so.1, which dawn.node opens at run time) not found on the
 * library path, or a driver manifest named in VK_ICD_FILENAMES that does not exist; undefined
 * when neither is certain (the loader is looked up in LD_LIBRARY_PATH, the usual folders and
 * ldconfig's cache; without ldconfig nothing is claimed).
 */
export function missingVulkan(): string | undefined {
  const manifests = (process.env.VK_ICD_FILENAMES ?? process.env.VK_DRIVER_FILES ?? '').split(':').filter(Boolean);
  const absent = manifests.filter((file) => !existsSync(file));
  if (absent.length > 0) return `the Vulkan driver manifest ${absent.join(', ')} named by VK_ICD_FILENAMES does not exist`;
  if (process.platform !== 'linux') return undefined;
  const libraryDirs = [...(process.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean), ...SYSTEM_LIBRARY_DIRS];
  if (libraryDirs.some((dir) => existsSync(join(dir, 'libvulkan.so.1')))) return undefined;
  let cache: string;
  try {
    cache = execFileSync('ldconfig', ['-p'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, PATH: `${process.env.PATH ?? ''}:/sbin:/usr/sbin` } });
  } catch {
    return undefined;
  }
  if (cache.includes('libvulkan.so.1 ')) return undefined;
  return 'the Vulkan loader libvulkan.so.1 is not on the library path (install a GPU driver with Vulkan support, and Debian\'s libvulkan1)';
}

/** Why Dawn found no adapter although the Vulkan loader and its manifests are there. */
export function noAdapterMessage(adapter: string): string {
  if (adapter) return `no WebGPU adapter whose name contains "${adapter}" (drop --gpu-adapter to take any). ${SOFTWARE_HINT}`;
  return `no WebGPU adapter: the Vulkan loader found no driver for a GPU (is a Vulkan driver installed, and is VK_ICD_FILENAMES right?). ${SOFTWARE_HINT}`;
}
