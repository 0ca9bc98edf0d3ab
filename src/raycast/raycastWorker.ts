import { parentPort } from 'node:worker_threads';
import { castRange, type HitBuffer, type RayBatch, type SceneData } from './kernel.js';
import type { CastMessage, WorkerReply } from './RaycastPool.js';

/**
 * A raycast pool worker: holds the scene it was last sent (the meshes are SharedArrayBuffer
 * views, so only the small top level is ever copied), and on each cast takes chunks of rays
 * from a shared counter until the batch is done, writing hits into the shared hit buffer.
 */
let scene: SceneData | undefined;
let rays: RayBatch | undefined;
let hits: HitBuffer | undefined;

const port = parentPort!;
port.on('message', (message: CastMessage) => {
  try {
    if (message.scene) scene = message.scene;
    if (message.buffers) {
      const b = message.buffers;
      rays = { origins: b.origins, directions: b.directions, count: 0, tMin: 0, tMax: 0 };
      hits = { distance: b.distance, normal: b.normal, instanceId: b.instanceId, classId: b.classId, triangleId: b.triangleId, reflectivity: b.reflectivity };
    }
    if (!scene || !rays || !hits) throw new Error('raycast worker: cast before the scene and buffers were sent');
    rays.count = message.count;
    rays.tMin = message.tMin;
    rays.tMax = message.tMax;
    const counter = new Int32Array(message.counter);
    let rayCount = 0;
    for (;;) {
      const start = Atomics.add(counter, 0, message.chunk);
      if (start >= message.count) break;
      const end = Math.min(message.count, start + message.chunk);
      castRange(scene, rays, hits, start, end, message.ignoreInstanceId);
      rayCount += end - start;
    }
    port.postMessage({ id: message.id, rays: rayCount } satisfies WorkerReply);
  } catch (error) {
    port.postMessage({ id: message.id, rays: 0, error: (error as Error).message } satisfies WorkerReply);
  }
});

// Ready: the pool waits for this before its first cast.
port.postMessage({ id: 0, rays: 0 } satisfies WorkerReply);
