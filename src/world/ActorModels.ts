import { ACTOR_KINDS, type ActorKindName } from '../core/actorKinds.js';
import { MeshBuilder } from '../core/MeshBuilder.js';

/**
 * Meshes for each kind of actor, in the actor's body frame: origin at the centre of the
 * footprint on the ground, x forward, z up; every mesh fits inside the kind's box.
 */
export function actorModel(kind: ActorKindName): MeshBuilder {
  const mesh = new MeshBuilder();
  const k = ACTOR_KINDS[kind];
  const cls = k.semanticClass;
  switch (kind) {
    case 'car': {
      const wheel = 0.62;
      mesh.box([0, 0, 0.3 + 0.35], [k.length, k.width, 0.7], 0, cls);
      mesh.box([-0.2, 0, 1.0 + 0.25], [2.4, k.width - 0.2, 0.5], 0, cls);
      for (const x of [-1.4, 1.4]) {
        for (const y of [-1, 1]) mesh.box([x, y * (k.width / 2 - 0.125), wheel / 2], [wheel, 0.25, wheel], 0, cls);
      }
      break;
    }
    case 'pedestrian': {
      mesh.box([0, 0, 0.45], [0.25, 0.4, 0.9], 0, cls);
      mesh.box([0, 0, 0.9 + 0.3], [0.3, 0.55, 0.6], 0, cls);
      mesh.box([0, 0, 1.5 + 0.125], [0.22, 0.2, 0.25], 0, cls);
      break;
    }
  }
  return mesh;
}
