/**
 * The map's signals from `ground_truth/signals`: each light as a lamp in its state's colour on
 * the front of its head, each sign as a white plate turned toward the traffic it governs. Stop
 * lines (and other markings lower than a standing signal) are not drawn: the map shows them.
 * The objects are made on the first frame that names a signal and only recoloured afterwards,
 * since the signals of a run never move.
 */
import * as THREE from 'three';
import type { SignalsFrame } from './protocol.js';

/** Lamp colours (sRGB), the same as the Foxglove bridge's (src/io/foxglove/messages.ts). */
export const STATE_COLORS: Record<string, number> = { red: 0xff1a1a, amber: 0xffb300, green: 0x1aff4d, off: 0x4d4d4d };

/** Below this a signal is a marking on the road, not a head or plate (as src/world/roadside/SignalHeads.ts). */
const MIN_STANDING_HEIGHT = 0.2;
/** The head's depth and lamp pitch in the world's mesh (SignalHeads.ts): the lamp sits on its face. */
const HEAD_DEPTH = 0.25;
const LAMP_PITCH = 0.3;
const LAMP_RADIUS = 0.16;

const LIGHT_KINDS = new Set(['traffic_light', 'pedestrian_light']);

/** One drawn signal, as the page reports it to tests. */
export interface SignalInfo {
  id: string;
  road: string;
  kind: string;
  state: string;
  /** The lamp's colour as drawn (#rrggbb, sRGB); '' for a sign. */
  color: string;
  /** The world heading the drawn face looks along (rad). */
  facing: number;
}

interface DrawnSignal {
  id: string;
  road: string;
  kind: string;
  state: string;
  group: THREE.Group;
  /** A light's lamp; absent for a sign. */
  lamp?: THREE.Mesh<THREE.SphereGeometry, THREE.MeshBasicMaterial>;
  /** Top of the head above its position (m), and the lamps it has, top to bottom. */
  height: number;
  slots: string[];
}

const lampGeometry = new THREE.SphereGeometry(LAMP_RADIUS, 16, 12);
const plateGeometry = new THREE.BoxGeometry(1, 1, 1);
const plateEdges = new THREE.EdgesGeometry(plateGeometry);
// Unlit: a lamp glows in its colour whatever the light in the scene, and reads back as that colour.
const lampMaterials = Object.fromEntries(Object.entries(STATE_COLORS).map(([state, hex]) => [state, new THREE.MeshBasicMaterial({ color: hex })]));
const plateMaterial = new THREE.MeshStandardMaterial({ color: 0xffffff, roughness: 0.6 });
const plateEdgeMaterial = new THREE.LineBasicMaterial({ color: 0x8899aa });

export class SignalView {
  readonly object = new THREE.Group();
  readonly #signals = new Map<string, DrawnSignal>();

  update(frame: SignalsFrame): void {
    for (let i = 0; i < frame.count; i++) {
      const kind = frame.kinds[i] ?? 'sign';
      const width = frame.sizes[i * 2] ?? 0;
      const height = frame.sizes[i * 2 + 1] ?? 0;
      if (kind === 'stop_line' || height < MIN_STANDING_HEIGHT) continue;
      // Ids are unique per road in OpenDRIVE, not across the map.
      const key = `${frame.roads[i] ?? ''}/${frame.ids[i] ?? i}`;
      let signal = this.#signals.get(key);
      if (!signal) {
        signal = this.#make(frame, i, kind, width, height);
        this.#signals.set(key, signal);
        this.object.add(signal.group);
      }
      // A flashing light shows its colour steadily here (the signals topic comes once a second, slower than the flash).
      this.#show(signal, (frame.states[i] ?? '').replace('flashing_', ''));
    }
  }

  #make(frame: SignalsFrame, i: number, kind: string, width: number, height: number): DrawnSignal {
    const group = new THREE.Group();
    group.position.set(frame.positions[i * 3], frame.positions[i * 3 + 1], frame.positions[i * 3 + 2]);
    // Local x is the way the face looks: the lamp sits on the head's front, the plate faces along it.
    group.rotation.z = frame.facing[i] ?? 0;
    const signal: DrawnSignal = { id: frame.ids[i] ?? String(i), road: frame.roads[i] ?? '', kind, state: '', group, height, slots: [] };
    if (LIGHT_KINDS.has(kind)) {
      // A walk light has red over green; a traffic light red, amber, green.
      signal.slots = kind === 'pedestrian_light' ? ['red', 'green'] : ['red', 'amber', 'green'];
      signal.lamp = new THREE.Mesh(lampGeometry, lampMaterials.off);
      signal.lamp.position.x = HEAD_DEPTH / 2 + LAMP_RADIUS * 0.4;
      group.add(signal.lamp);
    } else {
      // Just in front of the world's own plate (SignalHeads.ts puts it 6 cm ahead of the post), so the two do not fight.
      const plate = new THREE.Group();
      plate.position.set(0.09, 0, height / 2);
      plate.scale.set(0.02, Math.max(width, 0.1), height);
      plate.add(new THREE.Mesh(plateGeometry, plateMaterial), new THREE.LineSegments(plateEdges, plateEdgeMaterial));
      group.add(plate);
    }
    return signal;
  }

  /** A light's lamp takes its state's colour and moves to that lamp's place in the head (off: the middle). */
  #show(signal: DrawnSignal, state: string): void {
    if (signal.state === state && signal.lamp?.material === lampMaterials[state]) return;
    signal.state = state;
    const lamp = signal.lamp;
    if (!lamp) return;
    lamp.material = lampMaterials[state] ?? lampMaterials.off;
    const slot = signal.slots.indexOf(state);
    const headHeight = Math.min(signal.height, signal.slots.length * LAMP_PITCH + 0.1);
    const below = slot >= 0 ? 0.05 + LAMP_PITCH * (slot + 0.5) : headHeight / 2;
    lamp.position.z = signal.height - Math.min(below, headHeight - LAMP_RADIUS);
  }

  /** Every signal drawn, with its lamp's colour read from the object itself. */
  info(): SignalInfo[] {
    return [...this.#signals.values()].map((s) => ({
      id: s.id,
      road: s.road,
      kind: s.kind,
      state: s.state,
      color: s.lamp ? `#${s.lamp.material.color.getHexString()}` : '',
      facing: s.group.rotation.z,
    }));
  }
}
