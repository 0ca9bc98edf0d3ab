import type { ActionWithName, ActSpec, ConditionSpec, EventSpec, StoryboardSpec, TriggerSpec } from './Scenario.js';

/** The ghost's id: esmini names it after its entity with "_ghost". */
export function ghostId(entity: string): string {
  return `${entity}_ghost`;
}

/**
 * The actions esmini hands from the entity to its ghost (ScenarioEngine::SetupGhost): speed,
 * speed profile, lane change, lane offset, synchronize, follow trajectory, assign route (our
 * `route` controller action), teleport and acquire position. Others (controller activation,
 * visibility, …) stay with the entity.
 */
function moved(action: ActionWithName, entity: string): boolean {
  if (!('actor' in action) || action.actor !== entity) return false;
  switch (action.type) {
    case 'speed':
    case 'speedProfile':
    case 'laneChange':
    case 'laneOffset':
    case 'synchronize':
    case 'trajectory':
    case 'teleport':
    case 'acquirePosition':
      return true;
    case 'controller':
      return action.controller.type === 'route';
    default:
      return false;
  }
}

/** Entity conditions esmini hands to the ghost when the entity triggers them (ReplaceObjectInTrigger). */
const HANDED = new Set(['collision', 'reachPosition', 'traveledDistance', 'speed', 'acceleration', 'endOfRoad', 'offroad', 'standStill']);

export interface GhostStoryboard {
  storyboard: StoryboardSpec;
  /**
   * Events whose trigger has a condition the ghost cannot answer for its entity (storyboard
   * states, other entities, values, …): esmini puts a teleport of the ghost to the entity first
   * in them (ScenarioEngine::CreateGhostTeleport), and so does this (a `ghostRestart` action,
   * named as esmini's "AddedGhostTeleport"); after t = 0 it restarts the ghost (Simulation).
   */
  restartEvents: string[];
}

/**
 * The storyboard as esmini runs it with a ghost of `entity` `headstart` s ahead: the entity's
 * moving actions (above) act on the ghost, and so do the Init's. In an event with such an
 * action, and in the start trigger of an act where the entity is an actor, SimulationTime
 * conditions come `headstart` s earlier and entity conditions the entity triggers are
 * evaluated on the ghost; an event's other conditions (storyboard states, other entities, …)
 * are kept, and the event starts with the ghost's restart (restartEvents). The maneuver groups
 * list the ghost as their actor.
 */
export function ghostStoryboard(spec: StoryboardSpec, entity: string, headstart: number): GhostStoryboard {
  const ghost = ghostId(entity);
  const restartEvents: string[] = [];
  const condition = (c: ConditionSpec, restarts: { any: boolean } | undefined): ConditionSpec => {
    if (c.type === 'simulationTime') return { ...c, value: c.value - headstart };
    if ('entity' in c) {
      const list = Array.isArray(c.entity) ? c.entity : [c.entity];
      if (HANDED.has(c.type) && list.includes(entity)) {
        if (restarts && list.some((e) => e !== entity)) restarts.any = true;
        const swapped = list.map((e) => (e === entity ? ghost : e));
        return { ...c, entity: Array.isArray(c.entity) ? swapped : swapped[0] } as ConditionSpec;
      }
    }
    if (restarts) restarts.any = true;
    return c;
  };
  const trigger = (t: TriggerSpec | undefined, restarts?: { any: boolean }): TriggerSpec | undefined =>
    t?.map((group) => group.map((c) => condition(c, restarts)));
  const event = (e: EventSpec): EventSpec => {
    if (!e.actions.some((a) => moved(a, entity))) return e;
    const actions = e.actions.map((a) => (moved(a, entity) ? ({ ...a, actor: ghost } as ActionWithName) : a));
    const restarts = { any: false };
    const startTrigger = trigger(e.startTrigger, restarts);
    if (!restarts.any) return { ...e, actions, startTrigger };
    restartEvents.push(e.name);
    return { ...e, actions: [{ type: 'ghostRestart', actor: ghost, name: 'AddedGhostTeleport' }, ...actions], startTrigger };
  };
  const acts = spec.acts.map((act): ActSpec => {
    const maneuvers = act.maneuvers.map((m) => {
      const events = m.events.map(event);
      const ghosted = events.some((e, i) => e !== m.events[i]);
      return { ...m, actors: ghosted ? m.actors.map((a) => (a === entity ? ghost : a)) : m.actors, events };
    });
    const isActor = act.maneuvers.some((m) => m.actors.includes(entity));
    return { ...act, maneuvers, startTrigger: isActor ? trigger(act.startTrigger) : act.startTrigger };
  });
  return { storyboard: { ...spec, acts }, restartEvents };
}
