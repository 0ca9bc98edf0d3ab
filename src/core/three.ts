import { Object3D } from 'three';

/** The world is ENU with z up, as OpenDRIVE; three.js defaults to y up, so it is set once here. */
Object3D.DEFAULT_UP.set(0, 0, 1);

export * as THREE from 'three';
