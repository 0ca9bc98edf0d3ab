import { Body, Box, SAPBroadphase, Vec3, World, type ContactEquation } from 'cannon-es';
import type { SimActor } from './Actor.js';

export interface Contact {
  a: SimActor;
  b: SimActor;
  /** Impulse of a perfectly plastic collision along the contact normal (N·s). */
  impulse: number;
  closingSpeed: number;
  point: [number, number, number];
  /** Unit normal from a to b. */
  normal: [number, number, number];
}

/**
 * Contact detection between actors with cannon-es. Actors are moved by the simulation
 * (bicycle model, walking), never by cannon: each tick their bodies are placed at the
 * actors' poses and cannon's collision detection runs (no gravity, no road mesh, no solver);
 * the contacts its narrowphase finds are read back. Props are static bodies. A pair is reported once
 * when it starts touching; it may be reported again after it separated.
 */
export class Collisions {
  private readonly world = new World({ gravity: new Vec3(0, 0, 0), allowSleep: false });
  private readonly bodies = new Map<SimActor, Body>();
  private readonly actorOf = new Map<number, SimActor>();
  private touching = new Set<string>();

  constructor() {
    const broadphase = new SAPBroadphase(this.world);
    broadphase.axisIndex = 0;
    // Boxes, not bounding spheres: cars side by side in neighbouring lanes never reach the narrowphase.
    broadphase.useBoundingBoxes = true;
    this.world.broadphase = broadphase;
  }

  add(actor: SimActor): void {
    if (this.bodies.has(actor)) return;
    const isProp = actor.kind.category === 'prop';
    const body = new Body({
      mass: isProp ? 0 : actor.mass,
      type: isProp ? Body.STATIC : Body.DYNAMIC,
      shape: new Box(new Vec3(actor.length / 2, actor.width / 2, actor.height / 2)),
    });
    body.collisionResponse = true;
    this.place(body, actor);
    this.world.addBody(body);
    this.bodies.set(actor, body);
    this.actorOf.set(body.id, actor);
  }

  remove(actor: SimActor): void {
    const body = this.bodies.get(actor);
    if (!body) return;
    this.world.removeBody(body);
    this.bodies.delete(actor);
    this.actorOf.delete(body.id);
  }

  private place(body: Body, actor: SimActor): void {
    body.position.set(actor.x, actor.y, actor.z + actor.height / 2);
    body.quaternion.set(0, 0, Math.sin(actor.heading / 2), Math.cos(actor.heading / 2));
    body.velocity.set(actor.vel[0], actor.vel[1], 0);
    body.angularVelocity.set(0, 0, 0);
    body.aabbNeedsUpdate = true;
  }

  /**
   * Places every body at its actor's pose and returns the pairs that started touching. Only
   * cannon-es's detection runs (broadphase, then the narrowphase), never its solver: actors are
   * moved by the simulation. A pair already touching is checked by its bounding boxes alone;
   * the narrowphase (which finds the contact point and normal) runs only for pairs whose boxes
   * just met, so a pile of actors costs one cheap test per pair and step, not a full contact
   * solve.
   */
  detect(_dt: number): Contact[] {
    for (const [actor, body] of this.bodies) if (actor.kind.category !== 'prop') this.place(body, actor);
    for (const body of this.world.bodies) if (body.aabbNeedsUpdate) body.updateAABB();
    const p1: Body[] = [], p2: Body[] = [];
    this.world.broadphase.collisionPairs(this.world, p1, p2);
    const now = new Set<string>();
    const fresh: Body[][] = [[], []];
    for (let i = 0; i < p1.length; i++) {
      const a = this.actorOf.get(p1[i].id), b = this.actorOf.get(p2[i].id);
      if (!a || !b) continue;
      const key = a.instanceId < b.instanceId ? `${a.instanceId}:${b.instanceId}` : `${b.instanceId}:${a.instanceId}`;
      if (this.touching.has(key)) now.add(key);
      else {
        fresh[0].push(p1[i]);
        fresh[1].push(p2[i]);
      }
    }
    const equations: ContactEquation[] = [];
    if (fresh[0].length > 0) this.world.narrowphase.getContacts(fresh[0], fresh[1], this.world, equations, [], [], []);
    const found = new Map<string, Contact>();
    for (const eq of equations) {
      let a = this.actorOf.get(eq.bi.id);
      let b = this.actorOf.get(eq.bj.id);
      if (!a || !b) continue;
      let n: [number, number, number] = [eq.ni.x, eq.ni.y, eq.ni.z];
      let p: [number, number, number] = [eq.bi.position.x + eq.ri.x, eq.bi.position.y + eq.ri.y, eq.bi.position.z + eq.ri.z];
      if (a.instanceId > b.instanceId) {
        [a, b] = [b, a];
        n = [-n[0], -n[1], -n[2]];
        p = [eq.bj.position.x + eq.rj.x, eq.bj.position.y + eq.rj.y, eq.bj.position.z + eq.rj.z];
      }
      const key = `${a.instanceId}:${b.instanceId}`;
      now.add(key);
      if (found.has(key)) continue;
      const closing = Math.max(0, (a.vel[0] - b.vel[0]) * n[0] + (a.vel[1] - b.vel[1]) * n[1] + (a.vel[2] - b.vel[2]) * n[2]);
      const reduced = (a.mass * b.mass) / (a.mass + b.mass);
      found.set(key, { a, b, impulse: reduced * closing, closingSpeed: closing, point: p, normal: n });
    }
    this.touching = now;
    return [...found.values()].sort((x, y) => x.a.instanceId - y.a.instanceId || x.b.instanceId - y.b.instanceId);
  }
}
