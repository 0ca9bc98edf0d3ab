/**
 * Child process of the GPU tests (gpuHelpers.ts runs it with the adapter's environment): opens
 * the GPU device, with the adapter filter given as argument if any, and prints one JSON line:
 * { ok: true, adapter } or { ok: false, reason }.
 */
import { openGpuAdapter } from '../../../src/raycast/gpu/GpuRaycaster.js';

try {
  const adapter = await openGpuAdapter({ adapter: process.argv[2] });
  console.log(JSON.stringify({ ok: true, adapter }));
} catch (error) {
  console.log(JSON.stringify({ ok: false, reason: (error as Error).message }));
}
