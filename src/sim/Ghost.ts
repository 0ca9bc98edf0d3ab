import { ghostId, ghostStoryboard } from '../scenario/GhostStoryboard.js';
import type { FollowGhostSpec, StoryboardSpec } from '../scenario/Scenario.js';
import { SimActor } from './Actor.js';
import { GhostFollower } from './GhostFollower.js';
import { GhostTrail } from './GhostTrail.js';

/**
 * esmini's ghost (ScenarioEngine::SetupGhost) for an entity with a FollowGhostController: a
 * copy of the entity (same kind, size, start pose and speed, named "<id>_ghost") that runs the
 * entity's moving storyboard actions (src/scenario/GhostStoryboard.ts) headstartTime s ahead:
 * the simulation first runs the storyboard and the ghost alone from t = −headstartTime to 0
 * (the rest of the world waits), then everything together. The ghost is no entity of the
 * world: it is not in the world state (so no sensor or ground truth sees it), other traffic
 * and collisions ignore it; the storyboard finds it by its id, and its trail is what the
 * entity chases (GhostFollower).
 */
export class Ghost {
  readonly actor: SimActor;
  readonly trail = new GhostTrail();
  /**
   * The next step is the one esmini's entity takes right after a ghost restart, when the trail
   * is empty: it aims at itself at speed 0 (Simulation.restartGhost).
   */
  blindStep = false;

  constructor(readonly entity: SimActor, readonly spec: FollowGhostSpec) {
    const e = entity.spec;
    this.actor = new SimActor({ ...e, id: ghostId(e.id), ego: false, ghost: undefined }, 0, entity.kind, entity.build);
    this.actor.speed = entity.speed;
    this.actor.targetSpeed = entity.targetSpeed;
    this.actor.headstartTime = spec.headstartTime;
  }

  /** The ghost of the scenario (esmini's first FollowGhostController entity) and the storyboard it runs. */
  static setup(actors: readonly SimActor[], storyboard: StoryboardSpec): { ghost?: Ghost; storyboard: StoryboardSpec } {
    const entity = actors.find((a) => a.spec.ghost && a.active);
    if (!entity) return { storyboard };
    const ghost = new Ghost(entity, entity.spec.ghost!);
    return { ghost, storyboard: ghostStoryboard(storyboard, entity.id, ghost.spec.headstartTime).storyboard };
  }

  /**
   * esmini's ghost restart (TeleportAction::Start of its AddedGhostTeleport after t = 0), once
   * the simulation has put the ghost where its entity is: the ghost takes the entity's speed,
   * forgets its trail, and the entity's next step chases the empty trail (blindStep). The
   * simulation then lets completed events with a teleport of the ghost run again
   * (Storyboard.resetGhostEvents) and turns the clock back headstartTime s, so the rest of the
   * event's actions start then and the ghost runs its head start again alone before the world
   * moves on (Simulation.preRoll). esmini lets the world take one step first, in which the
   * entity chases the emptied trail, then replays; here the replay comes first and that blind
   * step next, which moves everyone the same (the trail's samples fall one step apart).
   */
  restart(): void {
    const g = this.actor, e = this.entity;
    g.speed = e.speed;
    g.targetSpeed = e.speed;
    g.vel = [...e.vel];
    this.trail.clear();
    this.blindStep = true;
  }

  /** The head start in whole steps of `stepNs` (esmini steps from −headstartTime until 0). */
  headstartTicks(stepNs: number): number {
    return Math.max(0, Math.round((this.spec.headstartTime * 1e9) / stepNs));
  }

  /** After the ghost's step to `time`: its reference point joins the trail (esmini's sampling). */
  record(time: number): void {
    const [x, y] = this.actor.reference;
    this.trail.record(x, y, time, this.actor.speed);
  }

  /**
   * Activates (or switches off) the chase on an actor. Only the ghost's own entity chases; it
   * leaves its lane path (the driver model steers) while it does. Returns whether anything changed.
   */
  chase(actor: SimActor, spec: FollowGhostSpec | undefined): boolean {
    if (actor !== this.entity) return false;
    if (!spec) {
      const was = actor.ghostFollower !== undefined;
      actor.ghostFollower = undefined;
      return was;
    }
    actor.ghostFollower = new GhostFollower(spec, this.trail, actor);
    actor.path = undefined;
    actor.lateral = undefined;
    actor.offsetChange = undefined;
    actor.laneOffset = 0;
    actor.speedProfile = undefined;
    return true;
  }
}
