/**
 * Choosing the backend, in this process (no adapter needed): the CPU is the default and opens
 * nothing; a name that is none of cpu, gpu, auto is a UserError naming the three; the log line
 * says what a run raycasts on.
 */
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/core/errors.js';
import { buildMeshBvh } from '../../src/raycast/MeshBvh.js';
import { describeBackend, openRaycastBackend, probeRaycastBackend, type RaycastBackendName } from '../../src/raycast/gpu/RaycastBackend.js';
import { RaycastScene } from '../../src/raycast/RaycastScene.js';

const scene = new RaycastScene(buildMeshBvh(new Float32Array([0, 0, 0, 1, 0, 0, 0, 1, 0]), new Uint8Array([7])));

describe('raycast backend choice', () => {
  it('takes the CPU for cpu, without looking for a GPU', async () => {
    expect(await openRaycastBackend(scene, 'cpu')).toEqual({ info: { backend: 'cpu' } });
    expect(await probeRaycastBackend('cpu')).toEqual({ backend: 'cpu' });
  });

  it('refuses a name that is not cpu, gpu or auto, saying which are', async () => {
    const error = await openRaycastBackend(scene, 'cuda' as RaycastBackendName).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toBe('backend: is "cuda"; expected one of cpu, gpu, auto');
  });

  it('says in one line what the LiDAR and radar raycast on', () => {
    expect(describeBackend({ backend: 'cpu' })).toBe('Raycasting on the CPU');
    expect(describeBackend({ backend: 'cpu', reason: 'only a software GPU adapter (x)' })).toBe('Raycasting on the CPU (no GPU used: only a software GPU adapter (x))');
    expect(describeBackend({ backend: 'gpu', adapter: 'nvidia hopper (NVIDIA H200)', software: false })).toBe('Raycasting LiDAR and radar on the GPU: nvidia hopper (NVIDIA H200); cameras rasterise there, shaded on the CPU');
  });
});
