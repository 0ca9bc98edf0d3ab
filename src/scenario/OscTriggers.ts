import type { XmlElement } from '../map/xml.js';
import { OscAttributes, type Scope } from './OscAttributes.js';
import { OscSignals } from './OscSignals.js';
import { OscValues } from './OscValues.js';
import type { ConditionEdge, ConditionSpec, CoordinateSystem, DistanceType, ElementState, ElementType, Position, Rule, TriggerSpec } from './Scenario.js';

const RULES = new Set(['greaterThan', 'lessThan', 'equalTo', 'greaterOrEqual', 'lessOrEqual', 'notEqualTo']);

/**
 * How OpenSCENARIO triggers read: condition groups of ByValue and ByEntity conditions. The
 * distance conditions (RelativeDistance, TimeHeadway, TimeToCollision, Distance) carry their
 * coordinate system and distance type so the simulation measures as the standard says.
 */
export abstract class OscTriggers extends OscAttributes {
  /** Runtime parameters and variables: their actions, conditions and declarations. */
  protected readonly values = new OscValues(this.attributeReader());
  /** Traffic signal controllers, actions and conditions. */
  protected readonly signalReader = new OscSignals(this.attributeReader());
  /** An OpenSCENARIO position; with an entity, of that entity's reference point. */
  protected abstract position(el: XmlElement, scope: Scope, entity?: string): Position;

  /**
   * coordinateSystem and relativeDistanceType of a distance condition (OpenSCENARIO 1.1+),
   * or from the 1.0 attribute alongRoute: "true" measures along the road (longitudinal,
   * road coordinates), "false" the straight line between the entities. Defaults (1.1):
   * coordinateSystem entity, relativeDistanceType euclidean. trajectory is read as road.
   */
  private distanceHow(e: XmlElement, scope: Scope): { coordinateSystem: CoordinateSystem; distanceType: DistanceType } {
    const along = e.attributes.alongRoute !== undefined && e.attributes.coordinateSystem === undefined ? this.str(e, 'alongRoute', scope) === 'true' : undefined;
    let cs = this.str(e, 'coordinateSystem', scope, along ? 'road' : 'entity');
    if (cs === 'trajectory') {
      this.warn(e, 'coordinateSystem="trajectory" is measured along the road');
      cs = 'road';
    }
    if (cs !== 'entity' && cs !== 'road' && cs !== 'lane') this.fail(e, `coordinateSystem="${cs}" is not one of entity, lane, road, trajectory`);
    const t = this.str(e, 'relativeDistanceType', scope, along ? 'longitudinal' : 'euclidianDistance');
    const types: Record<string, DistanceType> = { longitudinal: 'longitudinal', lateral: 'lateral', cartesianDistance: 'euclidean', euclidianDistance: 'euclidean', euclideanDistance: 'euclidean' };
    if (!types[t]) this.fail(e, `relativeDistanceType="${t}" is not one of longitudinal, lateral, euclidianDistance (cartesianDistance)`);
    return { coordinateSystem: cs, distanceType: types[t] };
  }

  /**
   * A trigger's condition groups, or undefined for a trigger with no condition at all: an
   * empty `<StartTrigger/>` then starts its element at once and an empty `<StopTrigger/>`
   * never stops it, as esmini reads them (the standard's Trigger has zero or more groups).
   */
  protected trigger(el: XmlElement, scope: Scope): TriggerSpec | undefined {
    const groups: TriggerSpec = [];
    for (const g of el.children.filter((c) => c.name === 'ConditionGroup')) {
      const group: ConditionSpec[] = [];
      for (const c of g.children.filter((x) => x.name === 'Condition')) {
        const cond = this.condition(c, scope);
        // An unsupported condition never holds, so its group never fires.
        group.push(cond ?? { type: 'simulationTime', value: Infinity, rule: 'greaterThan', name: 'unsupported' });
      }
      groups.push(group);
    }
    return groups.some((g) => g.length > 0) ? groups.filter((g) => g.length > 0) : undefined;
  }

  protected condition(c: XmlElement, scope: Scope): ConditionSpec | undefined {
    const common = { name: this.str(c, 'name', scope, 'condition'), delay: this.num(c, 'delay', scope, 0), edge: this.str(c, 'conditionEdge', scope, 'none') as ConditionEdge };
    const rule = (el: XmlElement): Rule => {
      const r = this.str(el, 'rule', scope, 'greaterThan');
      if (!RULES.has(r)) this.fail(el, `rule="${r}" is not one of ${[...RULES].join(', ')}`);
      return r as Rule;
    };
    const byValue = c.children.find((x) => x.name === 'ByValueCondition');
    if (byValue) {
      const v = byValue.children[0];
      if (v?.name === 'ParameterCondition' || v?.name === 'VariableCondition') return { ...common, ...this.values.condition(v, scope) };
      if (v?.name === 'TrafficSignalCondition' || v?.name === 'TrafficSignalControllerCondition') return { ...common, ...this.signalReader.condition(v, scope) };
      if (v?.name === 'SimulationTimeCondition') return { ...common, type: 'simulationTime', value: this.num(v, 'value', scope), rule: rule(v) };
      if (v?.name === 'StoryboardElementStateCondition') {
        const state = this.str(v, 'state', scope);
        const states: Record<string, ElementState> = {
          startTransition: 'startTransition', endTransition: 'endTransition', stopTransition: 'stopTransition', skipTransition: 'skipTransition',
          completeState: 'complete', runningState: 'running', standbyState: 'standby',
        };
        if (!states[state]) this.fail(v, `state="${state}" is not a storyboard element state`);
        const elementType = this.str(v, 'storyboardElementType', scope, 'event') as ElementType;
        return { ...common, type: 'storyboardState', element: this.str(v, 'storyboardElementRef', scope), elementType, state: states[state] };
      }
      this.unsupported(v ?? byValue);
      return undefined;
    }
    const byEntity = c.children.find((x) => x.name === 'ByEntityCondition');
    if (!byEntity) {
      this.unsupported(c.children[0] ?? c);
      return undefined;
    }
    const triggering = this.child(byEntity, 'TriggeringEntities');
    const entity = triggering.children.filter((x) => x.name === 'EntityRef').map((x) => this.str(x, 'entityRef', scope));
    const entitiesRule = this.str(triggering, 'triggeringEntitiesRule', scope, 'any') === 'all' ? 'all' as const : 'any' as const;
    const e = this.child(byEntity, 'EntityCondition').children[0];
    const base = { ...common, entity, entitiesRule };
    const freespace = (el: XmlElement): boolean => this.str(el, 'freespace', scope, 'false') === 'true';
    switch (e?.name) {
      case 'TimeHeadwayCondition':
        return { ...base, type: 'timeHeadway', target: this.str(e, 'entityRef', scope), value: this.num(e, 'value', scope), rule: rule(e), freespace: freespace(e), ...this.distanceHow(e, scope) };
      case 'TimeToCollisionCondition': {
        const target = this.child(e, 'TimeToCollisionConditionTarget').children[0];
        if (target?.name !== 'EntityRef') {
          this.unsupported(target ?? e);
          return undefined;
        }
        return { ...base, type: 'timeToCollision', target: this.str(target, 'entityRef', scope), value: this.num(e, 'value', scope), rule: rule(e), freespace: freespace(e), ...this.distanceHow(e, scope) };
      }
      case 'RelativeDistanceCondition':
        return { ...base, type: 'relativeDistance', target: this.str(e, 'entityRef', scope), value: this.num(e, 'value', scope), rule: rule(e), freespace: freespace(e), ...this.distanceHow(e, scope) };
      case 'DistanceCondition':
        return { ...base, type: 'distance', position: this.position(this.child(e, 'Position'), scope), value: this.num(e, 'value', scope), rule: rule(e), freespace: freespace(e), ...this.distanceHow(e, scope) };
      case 'ReachPositionCondition':
        return { ...base, type: 'reachPosition', position: this.position(this.child(e, 'Position'), scope), tolerance: this.num(e, 'tolerance', scope) };
      case 'SpeedCondition':
        return { ...base, type: 'speed', value: this.num(e, 'value', scope), rule: rule(e) };
      case 'RelativeSpeedCondition':
        return { ...base, type: 'relativeSpeed', target: this.str(e, 'entityRef', scope), value: this.num(e, 'value', scope), rule: rule(e) };
      case 'AccelerationCondition':
        return { ...base, type: 'acceleration', value: this.num(e, 'value', scope), rule: rule(e) };
      case 'TraveledDistanceCondition':
        return { ...base, type: 'traveledDistance', value: this.num(e, 'value', scope) };
      case 'EndOfRoadCondition':
        return { ...base, type: 'endOfRoad', duration: this.num(e, 'duration', scope, 0) };
      case 'OffroadCondition':
        return { ...base, type: 'offroad', duration: this.num(e, 'duration', scope, 0) };
      case 'StandStillCondition':
        return { ...base, type: 'standStill', duration: this.num(e, 'duration', scope) };
      case 'CollisionCondition': {
        const target = e.children.find((x) => x.name === 'EntityRef');
        if (!target) this.warn(e, 'by type is read as a collision with anything');
        return { ...base, type: 'collision', target: target ? this.str(target, 'entityRef', scope) : undefined };
      }
      default:
        this.unsupported(e ?? byEntity);
        return undefined;
    }
  }
}
