import { ACTOR_KINDS, type ActorKindName } from '../core/actorKinds.js';
import { MeshBuilder } from '../core/MeshBuilder.js';
import { classId } from '../core/semantic.js';

type V3 = [number, number, number];

/**
 * Meshes for each kind of actor, in the actor's body frame: origin at the centre of the
 * footprint on the ground, x forward, z up; every mesh fits inside the kind's box.
 */
export function actorModel(kind: ActorKindName): MeshBuilder {
  const mesh = new MeshBuilder();
  const k = ACTOR_KINDS[kind];
  const cls = k.semanticClass;
  const box = (c: V3, size: V3, c2 = cls): void => mesh.box(c, size, 0, c2);
  const wheels = (length: number, width: number, axles: number[], d: number): void => {
    for (const x of axles) {
      for (const y of [-1, 1]) box([x, y * (width / 2 - 0.15), d / 2], [d, 0.3, d]);
    }
    void length;
  };
  switch (kind) {
    case 'car':
    case 'parked_car': {
      box([0, 0, 0.3 + 0.35], [k.length, k.width, 0.7]);
      box([-0.2, 0, 1.0 + 0.25], [2.4, k.width - 0.2, 0.5]);
      wheels(k.length, k.width, [-1.4, 1.4], 0.62);
      break;
    }
    case 'van': {
      box([0, 0, 0.35 + 0.4], [k.length, k.width, 0.8]);
      box([-0.35, 0, 1.15 + 0.5], [k.length - 0.7, k.width - 0.05, 1.0]);
      wheels(k.length, k.width, [-1.7, 1.7], 0.7);
      break;
    }
    case 'truck': {
      // Cab in front, box body behind.
      box([k.length / 2 - 1.1, 0, 0.5 + 1.2], [2.2, k.width, 2.4]);
      box([-1.1, 0, 0.8 + 1.4], [k.length - 2.4, k.width, 2.8]);
      wheels(k.length, k.width, [-3.2, -1.9, 3.3], 1.0);
      break;
    }
    case 'bus': {
      box([0, 0, 0.35 + 1.4], [k.length, k.width, 2.8]);
      wheels(k.length, k.width, [-3.4, 3.6], 1.0);
      break;
    }
    case 'cyclist': {
      const bike = classId('bicycle');
      const rider = classId('rider');
      for (const x of [-0.55, 0.55]) box([x, 0, 0.35], [0.7, 0.08, 0.7], bike);
      box([0, 0, 0.6], [1.1, 0.1, 0.2], bike);
      box([-0.1, 0, 1.05], [0.4, 0.45, 0.6], rider);
      box([0.05, 0, 1.5], [0.25, 0.22, 0.25], rider);
      break;
    }
    case 'pedestrian':
    case 'child': {
      const h = k.height / 1.75;
      box([0, 0, 0.45 * h], [0.25 * h, 0.4 * h, 0.9 * h]);
      box([0, 0, 1.2 * h], [0.3 * h, 0.55 * h, 0.6 * h]);
      box([0, 0, 1.625 * h], [0.22 * h, 0.2 * h, 0.25 * h]);
      break;
    }
    case 'cone': {
      box([0, 0, 0.025], [0.4, 0.4, 0.05]);
      box([0, 0, 0.2], [0.28, 0.28, 0.3]);
      box([0, 0, 0.5], [0.16, 0.16, 0.4]);
      break;
    }
    case 'barrier': {
      box([0, 0, 0.2], [k.length, k.width, 0.4]);
      box([0, 0, 0.7], [k.length, 0.2, 0.6]);
      break;
    }
  }
  return mesh;
}
