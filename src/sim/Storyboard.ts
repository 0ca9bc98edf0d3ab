import type { TrafficSignals } from './TrafficSignals.js';
import type { ActSpec, ActionWithName, ConditionSpec, CoordinateSystem, DistanceType, ElementState, ElementType, EventSpec, Rule, StoryboardSpec, TriggerSpec } from '../scenario/Scenario.js';
import type { SimActor } from './Actor.js';
import type { DistanceHow } from './Distances.js';
import { RuntimeValues } from './RuntimeValues.js';
import type { SimEvent } from './events.js';
import { heldFor } from './RoadConditions.js';

type Transition = 'startTransition' | 'endTransition' | 'stopTransition' | 'skipTransition';
type State = 'standby' | 'running' | 'complete';

/** A running action as the simulation reports it back. */
export interface ActionHandle {
  /** True once the action has finished by itself. */
  done(): boolean;
  /** Ends the action early (its event was stopped or overwritten). */
  cancel(): void;
}

/** What the storyboard needs from the simulation: time, actors, measures, and doing things. */
export interface StoryboardHost {
  readonly time: number;
  /** The traffic signals, for signal conditions. */
  readonly trafficSignals: TrafficSignals;
  actor(id: string): SimActor | undefined;
  emit(event: DistributiveOmit<SimEvent, 'tick' | 't_ns'>): void;
  startAction(action: ActionWithName): ActionHandle;
  /** Signed distance from a to b along a's direction of travel (road coordinates), or undefined. */
  longitudinalDistance(a: SimActor, b: SimActor, freespace: boolean): number | undefined;
  lateralDistance(a: SimActor, b: SimActor, freespace: boolean): number;
  euclideanDistance(a: SimActor, b: SimActor, freespace: boolean): number;
  /** Distance from a to b as OpenSCENARIO measures it (reference points or boxes, in a coordinate system). */
  relativeDistance(a: SimActor, b: SimActor, how: DistanceHow): number | undefined;
  timeHeadway(a: SimActor, b: SimActor, how: DistanceHow): number | undefined;
  timeToCollision(a: SimActor, b: SimActor, how: DistanceHow): number | undefined;
  /** Distance from a's reference point (or box) to a position, for DistanceCondition. */
  distanceTo(a: SimActor, position: import('../scenario/Scenario.js').Position, how: DistanceHow): number | undefined;
  /** Distance from an actor to a position (m), for ReachPosition. */
  distanceToPosition(a: SimActor, position: import('../scenario/Scenario.js').Position): number;
  end(result: 'success' | 'failure' | 'stopped', reason: string): void;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

const SMALL = 1e-10;

export function evaluateRule(a: number, b: number, rule: Rule): boolean {
  switch (rule) {
    case 'greaterThan': return a > b + SMALL;
    case 'greaterOrEqual': return a >= b - SMALL;
    case 'lessThan': return a < b - SMALL;
    case 'lessOrEqual': return a <= b + SMALL;
    case 'equalTo': return Math.abs(a - b) < 1e-9;
    case 'notEqualTo': return Math.abs(a - b) >= 1e-9;
  }
}

class Element {
  state: State = 'standby';
  /** The latest transitions, newest last; `mark` numbers every transition of the storyboard in order. */
  readonly transitions: { mark: number; transition: Transition; time: number }[] = [];

  constructor(readonly name: string, readonly type: ElementType) {}
}

class ConditionRuntime {
  private last = false;
  private evaluated = false;
  /** The storyboard's transition mark when this condition was last evaluated. */
  private lastMark = 0;
  /** Edge-adjusted values over time (only changes), for delays. */
  private history: { t: number; v: boolean }[] = [];

  constructor(readonly spec: ConditionSpec, private readonly board: Storyboard) {}

  reset(): void {
    this.evaluated = false;
  }

  evaluate(time: number): boolean {
    // A transition counts as new if it came after the last evaluation, even later in that
    // same pass (an event that ended after this condition was checked is seen on the next).
    const raw = this.board.check(this.spec, this.lastMark);
    this.lastMark = this.board.transitionMark;
    const edge = this.spec.edge ?? 'none';
    let value: boolean;
    if (edge === 'none') value = raw;
    else if (!this.evaluated) value = false;
    else if (edge === 'rising') value = raw && !this.last;
    else if (edge === 'falling') value = !raw && this.last;
    else value = raw !== this.last;
    this.last = raw;
    this.evaluated = true;
    const delay = this.spec.delay ?? 0;
    if (delay <= 0) return value;
    const h = this.history;
    if (h.length === 0 || h[h.length - 1].v !== value) h.push({ t: time, v: value });
    // The value `delay` seconds ago (false before anything was recorded).
    const at = time - delay + 1e-9;
    let result = false;
    let keepFrom = 0;
    for (let i = 0; i < h.length; i++) {
      if (h[i].t <= at) {
        result = h[i].v;
        keepFrom = i;
      }
    }
    if (keepFrom > 0) h.splice(0, keepFrom);
    // An edge is an instant: once its delayed moment has passed, consume it.
    if (edge !== 'none' && result && h[0].t <= at) h[0].v = false;
    return result;
  }
}

class TriggerRuntime {
  readonly groups: ConditionRuntime[][];

  constructor(spec: TriggerSpec, board: Storyboard) {
    this.groups = spec.map((group) => group.map((c) => new ConditionRuntime(c, board)));
  }

  /** OR over groups of AND-ed conditions; every condition is evaluated (edges need history). */
  evaluate(time: number): string[] | undefined {
    let fired: string[] | undefined;
    for (const group of this.groups) {
      if (group.length === 0) continue;
      let all = true;
      for (const c of group) all = c.evaluate(time) && all;
      if (all && !fired) fired = group.map((c, i) => c.spec.name ?? `${c.spec.type}#${i}`);
    }
    if (fired) for (const group of this.groups) for (const c of group) c.reset();
    return fired;
  }
}

interface ActionRuntime {
  el: Element;
  spec: ActionWithName;
  handle?: ActionHandle;
}

interface EventRuntime {
  el: Element;
  spec: EventSpec;
  trigger?: TriggerRuntime;
  executions: number;
  actions: ActionRuntime[];
}

interface ManeuverRuntime {
  el: Element;
  group: Element;
  events: EventRuntime[];
}

interface ActRuntime {
  el: Element;
  story: Element;
  spec: ActSpec;
  start?: TriggerRuntime;
  stop?: TriggerRuntime;
  maneuvers: ManeuverRuntime[];
}

/**
 * The OpenSCENARIO storyboard at run time: stories, acts, maneuver groups, maneuvers, events
 * and actions move standby → running → complete through start, end, stop and skip
 * transitions; triggers are OR-ed groups of AND-ed conditions with delay and conditionEdge
 * (an edge never fires on a condition's first evaluation, and a fired trigger's conditions
 * start over). Every transition and firing is emitted as an event.
 */
export class Storyboard {
  private readonly acts: ActRuntime[] = [];
  private readonly byName = new Map<string, Element[]>();
  private readonly stopTrigger?: TriggerRuntime;
  /** Stories in order; they have no trigger of their own and run from the storyboard's start. */
  private readonly stories: Element[] = [];
  /** Whether the first evaluation pass (which starts the stories) has run. */
  private started = false;
  /** How many transitions have happened (ConditionRuntime compares against it). */
  transitionMark = 0;
  ended = false;
  /** Runtime parameters and variables (value actions write them, value conditions read them). */
  readonly values: RuntimeValues;

  constructor(spec: StoryboardSpec, private readonly host: StoryboardHost) {
    this.values = new RuntimeValues(spec.values);
    const stories = new Map<string, Element>();
    for (const act of spec.acts) {
      let story = stories.get(act.story);
      if (!story) {
        stories.set(act.story, (story = this.element(act.story, 'story')));
        this.stories.push(story);
      }
      const runtime: ActRuntime = {
        el: this.element(act.name, 'act'),
        story,
        spec: act,
        start: act.startTrigger ? new TriggerRuntime(act.startTrigger, this) : undefined,
        stop: act.stopTrigger ? new TriggerRuntime(act.stopTrigger, this) : undefined,
        maneuvers: act.maneuvers.map((m) => ({
          el: this.element(m.name, 'maneuver'),
          group: this.element(m.group, 'maneuverGroup'),
          events: m.events.map((e) => ({
            el: this.element(e.name, 'event'),
            spec: e,
            trigger: e.startTrigger ? new TriggerRuntime(e.startTrigger, this) : undefined,
            executions: 0,
            actions: e.actions.map((a, i) => ({ el: this.element(a.name ?? `${e.name}/${a.type}#${i}`, 'action'), spec: a })),
          })),
        })),
      };
      this.acts.push(runtime);
    }
    if (spec.stopTrigger) this.stopTrigger = new TriggerRuntime(spec.stopTrigger, this);
  }

  private element(name: string, type: ElementType): Element {
    const el = new Element(name, type);
    const list = this.byName.get(name);
    if (list) list.push(el);
    else this.byName.set(name, [el]);
    return el;
  }

  private transition(el: Element, transition: Transition): void {
    el.state = transition === 'startTransition' ? 'running' : transition === 'skipTransition' ? el.state : 'complete';
    el.transitions.push({ mark: ++this.transitionMark, transition, time: this.host.time });
    if (el.transitions.length > 8) el.transitions.shift();
    this.host.emit({ type: 'storyboard', element: el.name, elementType: el.type, state: transition });
  }

  /** One evaluation pass, after the world moved to the current time. */
  update(): void {
    if (this.ended) return;
    const time = this.host.time;
    // A Story starts with the storyboard (OpenSCENARIO 1.x: it has no start trigger; esmini
    // starts every story on the first step), so its acts can wait on its runningState.
    if (!this.started) {
      this.started = true;
      for (const story of this.stories) this.transition(story, 'startTransition');
    }
    for (const act of this.acts) {
      if (act.el.state === 'standby') {
        const fired = act.start ? act.start.evaluate(time) : [];
        if (fired) {
          if (fired.length > 0) this.host.emit({ type: 'trigger', element: act.el.name, elementType: 'act', conditions: fired });
          this.transition(act.el, 'startTransition');
          for (const m of act.maneuvers) {
            if (m.group.state === 'standby') this.transition(m.group, 'startTransition');
            this.transition(m.el, 'startTransition');
          }
        }
      }
      if (act.el.state !== 'running') continue;
      const stopped = act.stop?.evaluate(time);
      if (stopped) {
        this.host.emit({ type: 'trigger', element: act.el.name, elementType: 'act', conditions: stopped });
        this.stopAct(act);
        continue;
      }
      for (const m of act.maneuvers) {
        if (m.el.state !== 'running') continue;
        for (const event of m.events) {
          if (event.el.state !== 'standby') continue;
          const fired = event.trigger ? event.trigger.evaluate(time) : [];
          if (!fired) continue;
          if (event.spec.priority === 'skip' && m.events.some((e) => e !== event && e.el.state === 'running')) {
            this.transition(event.el, 'skipTransition');
            continue;
          }
          if (fired.length > 0) this.host.emit({ type: 'trigger', element: event.el.name, elementType: 'event', conditions: fired });
          if (event.spec.priority === 'overwrite') {
            for (const other of m.events) if (other !== event && other.el.state === 'running') this.stopEvent(other);
          }
          this.startEvent(event);
        }
      }
    }
    this.completions();
    if (this.stopTrigger && !this.ended) {
      const fired = this.stopTrigger.evaluate(time);
      if (fired) {
        this.host.emit({ type: 'trigger', element: 'storyboard', elementType: 'storyboard', conditions: fired });
        this.host.end('stopped', `stop trigger: ${fired.join(', ')}`);
      }
    }
  }

  private startEvent(event: EventRuntime): void {
    event.executions++;
    this.transition(event.el, 'startTransition');
    for (const action of event.actions) {
      this.transition(action.el, 'startTransition');
      if (action.spec.type === 'value') this.values.apply(action.spec);
      action.handle = action.spec.type === 'value' ? { done: () => true, cancel: () => undefined } : this.host.startAction(action.spec);
      this.host.emit({ type: 'action', name: action.el.name, action: action.spec.type, actor: 'actor' in action.spec ? action.spec.actor : undefined });
      if (this.ended) return;
    }
  }

  /**
   * esmini's ResetEvents at a ghost restart: a completed event with a teleport of the ghost
   * (its own, or the restart's) may run again, its executions counted from zero.
   */
  resetGhostEvents(ghost: string): void {
    for (const act of this.acts) {
      for (const m of act.maneuvers) {
        for (const event of m.events) {
          if (event.el.state !== 'complete') continue;
          if (!event.spec.actions.some((a) => (a.type === 'teleport' || a.type === 'ghostRestart') && a.actor === ghost)) continue;
          event.el.state = 'standby';
          event.executions = 0;
          for (const a of event.actions) a.el.state = 'standby';
        }
      }
    }
  }

  private stopEvent(event: EventRuntime): void {
    for (const action of event.actions) {
      if (action.el.state === 'running') {
        action.handle?.cancel();
        this.transition(action.el, 'stopTransition');
      }
    }
    this.transition(event.el, 'stopTransition');
    if (event.executions < event.spec.maxCount) event.el.state = 'standby';
  }

  private stopAct(act: ActRuntime): void {
    for (const m of act.maneuvers) {
      for (const e of m.events) if (e.el.state === 'running') this.stopEvent(e);
      for (const e of m.events) e.el.state = 'complete';
      if (m.el.state === 'running') this.transition(m.el, 'stopTransition');
      if (m.group.state === 'running') this.transition(m.group, 'stopTransition');
    }
    this.transition(act.el, 'stopTransition');
    this.storyCompletion(act.story);
  }

  private completions(): void {
    for (const act of this.acts) {
      if (act.el.state !== 'running') continue;
      for (const m of act.maneuvers) {
        if (m.el.state !== 'running') continue;
        for (const event of m.events) {
          if (event.el.state !== 'running') continue;
          for (const action of event.actions) {
            if (action.el.state === 'running' && action.handle?.done()) this.transition(action.el, 'endTransition');
          }
          if (event.actions.every((a) => a.el.state === 'complete')) {
            this.transition(event.el, 'endTransition');
            if (event.executions < event.spec.maxCount) {
              event.el.state = 'standby';
              for (const a of event.actions) a.el.state = 'standby';
            }
          }
        }
        if (m.events.every((e) => e.el.state === 'complete')) {
          this.transition(m.el, 'endTransition');
          const groupDone = act.maneuvers.filter((x) => x.group === m.group).every((x) => x.el.state === 'complete');
          if (groupDone && m.group.state === 'running') this.transition(m.group, 'endTransition');
        }
      }
      if (act.maneuvers.every((m) => m.el.state === 'complete')) {
        this.transition(act.el, 'endTransition');
        this.storyCompletion(act.story);
      }
    }
  }

  private storyCompletion(story: Element): void {
    if (story.state === 'running' && this.acts.filter((a) => a.story === story).every((a) => a.el.state === 'complete')) {
      this.transition(story, 'endTransition');
    }
  }

  /** A condition's raw value now. `sinceMark`: transitions numbered after it count as new. */
  check(spec: ConditionSpec, sinceMark: number): boolean {
    const host = this.host;
    switch (spec.type) {
      case 'simulationTime':
        return evaluateRule(host.time, spec.value, spec.rule);
      case 'value':
        return this.values.holds(spec, evaluateRule);
      case 'signalState':
        return host.trafficSignals.showing(spec.signal, spec.state, host.time);
      case 'signalPhase':
        return host.trafficSignals.phaseAt(spec.controller, host.time) === spec.phase;
      case 'storyboardState':
        return this.stateHolds(spec.element, spec.elementType, spec.state, sinceMark);
      case 'timeSince': {
        const el = this.find(spec.element, undefined);
        const wanted = spec.state ?? 'startTransition';
        const last = el?.transitions.filter((x) => x.transition === wanted).pop();
        if (!last) return false;
        return evaluateRule(host.time - last.time, spec.value, spec.rule ?? 'greaterOrEqual');
      }
      default:
        return this.byEntity(spec);
    }
  }

  private find(name: string, type: ElementType | undefined): Element | undefined {
    const list = this.byName.get(name);
    if (!list) return undefined;
    return type ? list.find((e) => e.type === type) ?? list[0] : list[0];
  }

  private stateHolds(name: string, type: ElementType | undefined, state: ElementState, sinceMark: number): boolean {
    const el = this.find(name, type);
    if (!el) return false;
    if (state === 'standby' || state === 'running' || state === 'complete') return el.state === state;
    return el.transitions.some((x) => x.mark > sinceMark && x.transition === state);
  }

  private byEntity(spec: ConditionSpec): boolean {
    if (!('entity' in spec)) return false;
    const ids = Array.isArray(spec.entity) ? spec.entity : [spec.entity];
    const all = spec.entitiesRule === 'all';
    let result = all;
    for (const id of ids) {
      const a = this.host.actor(id);
      if (!a || !a.active) {
        if (all) return false;
        continue;
      }
      const r = this.entityCheck(spec, a);
      if (all && !r) return false;
      if (!all && r) return true;
      result = all ? result && r : result || r;
    }
    return result;
  }

  private entityCheck(spec: ConditionSpec, a: SimActor): boolean {
    const host = this.host;
    const target = (id: string): SimActor | undefined => {
      const b = host.actor(id);
      return b && b.active ? b : undefined;
    };
    switch (spec.type) {
      case 'reachPosition':
        return host.distanceToPosition(a, spec.position) < spec.tolerance;
      case 'roadS': {
        if (a.road !== spec.road) return false;
        return evaluateRule(a.s, spec.s, spec.rule ?? progressRule(a));
      }
      case 'traveledDistance':
        return a.odometer >= spec.value;
      case 'relativeDistance': {
        const b = target(spec.target);
        if (!b) return false;
        const how = standard(spec);
        if (how) {
          const d = host.relativeDistance(a, b, how);
          return d !== undefined && evaluateRule(Math.abs(d), spec.value, spec.rule);
        }
        const type = spec.distanceType ?? 'euclidean';
        const free = spec.freespace ?? false;
        const d = type === 'longitudinal' ? host.longitudinalDistance(a, b, free) : type === 'lateral' ? host.lateralDistance(a, b, free) : host.euclideanDistance(a, b, free);
        if (d === undefined) return false;
        return evaluateRule(Math.abs(d), spec.value, spec.rule);
      }
      case 'timeHeadway': {
        const b = target(spec.target);
        if (!b) return false;
        const how = standard(spec);
        if (how) {
          const hw = host.timeHeadway(a, b, how);
          return hw !== undefined && evaluateRule(hw, spec.value, spec.rule);
        }
        const d = host.longitudinalDistance(a, b, spec.freespace ?? false);
        if (d === undefined || d < 0 || a.speed < 1e-10) return false;
        return evaluateRule(d / a.speed, spec.value, spec.rule);
      }
      case 'timeToCollision': {
        const b = target(spec.target);
        if (!b) return false;
        const how = standard(spec);
        if (how) {
          const ttc = host.timeToCollision(a, b, how);
          return ttc !== undefined && evaluateRule(ttc, spec.value, spec.rule);
        }
        const d = host.longitudinalDistance(a, b, spec.freespace ?? true);
        if (d === undefined || Math.abs(d) < 1e-10) return false;
        const bh = [Math.cos(b.heading), Math.sin(b.heading)];
        const proj = b.speed < 1e-10 ? a.speed : a.vel[0] * bh[0] + a.vel[1] * bh[1] - b.speed;
        if (Math.abs(proj) < 1e-10) return false;
        const ttc = d / proj;
        return ttc >= 0 && evaluateRule(ttc, spec.value, spec.rule);
      }
      case 'distance': {
        const how = standard(spec) ?? { coordinateSystem: 'entity' as const, type: spec.distanceType ?? 'euclidean', freespace: spec.freespace ?? false };
        const d = host.distanceTo(a, spec.position, how);
        return d !== undefined && evaluateRule(Math.abs(d), spec.value, spec.rule);
      }
      case 'speed':
        return evaluateRule(a.speed, spec.value, spec.rule);
      case 'relativeSpeed': {
        const b = target(spec.target);
        return b ? evaluateRule(a.speed - b.speed, spec.value, spec.rule) : false;
      }
      case 'acceleration':
        return evaluateRule(a.accel, spec.value, spec.rule);
      case 'collision':
        return spec.target === undefined ? a.collisions.length > 0 : a.collisions.includes(spec.target);
      case 'laneChangeDone':
        return a.laneChangesDone > 0 && !a.laneChanging;
      case 'offroad':
        return heldFor(a.offroadSince, spec.duration, host.time);
      case 'endOfRoad':
        return heldFor(a.endOfRoadSince, spec.duration, host.time);
      case 'standStill':
        return Math.abs(a.speed) < 1e-3 && host.time - a.standStillSince >= spec.duration - 1e-9;
      default:
        return false;
    }
  }
}

/**
 * How a distance condition with a coordinate system measures (OpenSCENARIO's semantics, see
 * Distances.ts); undefined for one without (roadcast's own scenarios: body centres, as before).
 */
function standard(spec: { coordinateSystem?: CoordinateSystem; distanceType?: DistanceType; freespace?: boolean }): DistanceHow | undefined {
  if (!spec.coordinateSystem) return undefined;
  return { coordinateSystem: spec.coordinateSystem, type: spec.distanceType ?? 'euclidean', freespace: spec.freespace ?? false };
}

/** Reaching s means passing it in the actor's direction of travel along the road. */
function progressRule(a: SimActor): Rule {
  const forward = a.path ? a.path.runs.length > 0 && roadForward(a) : true;
  return forward ? 'greaterOrEqual' : 'lessOrEqual';
}

function roadForward(a: SimActor): boolean {
  const p = a.path!;
  const i = Math.min(a.pathIndex + 1, p.s.length - 1);
  return p.s[i] >= p.s[a.pathIndex];
}
