import type { XmlElement } from '../map/xml.js';
import type { DistanceConstraints, FinalSpeed, MotionActionSpec } from './MotionActions.js';
import type { Scope } from './OscAttributes.js';
import { OscTriggers } from './OscTriggers.js';
import type { Position } from './Scenario.js';

type Waypoint = { road: string; lane: number; s: number };

/**
 * How the OpenSCENARIO motion actions and positions read (ASAM OpenSCENARIO 1.x XSD):
 * SynchronizeAction, LongitudinalDistanceAction, LateralDistanceAction,
 * AcquirePositionAction, VisibilityAction, RelativeObjectPosition and RoutePosition. Their
 * behaviour is in src/sim/MotionActions.ts and src/sim/RoutePositions.ts.
 */
export abstract class OscMotionActions extends OscTriggers {
  /** A Route, inline or from a catalog (the element holding it): its lane waypoints. */
  protected abstract route(holder: XmlElement, scope: Scope): Waypoint[];
  /** How far the body centre lies ahead of an entity's reference point (BoundingBox Center x). */
  protected abstract centreAhead(entity: string | undefined): number;

  /** One motion action for one actor, or undefined when `inner` is none of them. */
  protected motionAction(inner: XmlElement, actor: string, scope: Scope): MotionActionSpec | undefined {
    const kind = inner.children[0];
    const bool = (el: XmlElement, name: string, fallback: boolean): boolean => this.str(el, name, scope, String(fallback)) === 'true';
    if (inner.name === 'SynchronizeAction') return this.synchronize(inner, actor, scope);
    if (inner.name === 'VisibilityAction') {
      return { type: 'visibility', actor, graphics: bool(inner, 'graphics', true), traffic: bool(inner, 'traffic', true), sensors: bool(inner, 'sensors', true) };
    }
    if (inner.name === 'RoutingAction' && kind?.name === 'AcquirePositionAction') {
      return { type: 'acquirePosition', actor, position: this.position(this.child(kind, 'Position'), scope) };
    }
    if (inner.name === 'LongitudinalAction' && kind?.name === 'LongitudinalDistanceAction') {
      const hasDistance = kind.attributes.distance !== undefined, hasGap = kind.attributes.timeGap !== undefined;
      if (hasDistance === hasGap) this.fail(kind, 'needs exactly one of distance (m) and timeGap (s)');
      const displacement = this.str(kind, 'displacement', scope, 'trailingReferencedEntity');
      if (!['trailingReferencedEntity', 'leadingReferencedEntity', 'any'].includes(displacement)) this.fail(kind, `displacement="${displacement}" is not one of trailingReferencedEntity, leadingReferencedEntity, any`);
      this.coordinateSystem(kind, scope);
      return {
        type: 'longitudinalDistance', actor, target: this.str(kind, 'entityRef', scope),
        ...(hasDistance ? { distance: this.num(kind, 'distance', scope) } : { timeGap: this.num(kind, 'timeGap', scope) }),
        freespace: bool(kind, 'freespace', false), continuous: bool(kind, 'continuous', false),
        displacement: displacement as 'trailingReferencedEntity', constraints: this.constraints(kind, scope),
      };
    }
    if (inner.name === 'LateralAction' && kind?.name === 'LateralDistanceAction') return this.lateralDistance(kind, actor, scope);
    return undefined;
  }

  /**
   * LateralDistanceAction as esmini's ScenarioReader takes it: `displacement` from 1.1 on (absent
   * or `any`: any; a negative distance counts by its size, with a warning); in 1.0 it is ignored
   * with a warning and the distance keeps its sign. coordinateSystem defaults to entity.
   * DynamicConstraints' maxAcceleration bounds the lateral acceleration, maxSpeed the lateral
   * speed; maxLateralAcc is no attribute of DynamicConstraints (esmini ignores it too).
   */
  private lateralDistance(el: XmlElement, actor: string, scope: Scope): MotionActionSpec {
    let distance = this.num(el, 'distance', scope, 0);
    let displacement: 'leftToReferencedEntity' | 'rightToReferencedEntity' | 'any' | 'none' = 'none';
    if (this.revMinor >= 1) {
      const d = this.str(el, 'displacement', scope, 'any');
      if (d !== 'leftToReferencedEntity' && d !== 'rightToReferencedEntity' && d !== 'any') this.fail(el, `displacement="${d}" is not one of leftToReferencedEntity, rightToReferencedEntity, any`);
      displacement = d;
      if (distance < 0) {
        this.warn(el, `distance="${distance}": OpenSCENARIO 1.1 on takes no negative distance (displacement gives the side); its size ${-distance} is used`);
        distance = -distance;
      }
    } else if (el.attributes.displacement !== undefined) {
      this.warn(el, 'displacement is not in OpenSCENARIO 1.0 (revMinor="0"); ignored: the sign of distance gives the side');
    }
    const cs = this.str(el, 'coordinateSystem', scope, 'entity');
    if (cs !== 'entity' && cs !== 'road') this.warn(el, `coordinateSystem="${cs}" is measured in road coordinates (esmini keeps the lateral distance in entity and road coordinates only)`);
    const dyn = el.children.find((c) => c.name === 'DynamicConstraints');
    if (dyn?.attributes.maxLateralAcc !== undefined) this.warn(dyn, 'maxLateralAcc is not an attribute of DynamicConstraints (maxAcceleration bounds the lateral acceleration here); ignored, as esmini does');
    const constraints = this.constraints(el, scope);
    if (constraints) {
      // esmini replaces a value of about zero by its default (5 m/s², 10 m/s², 250 km/h).
      const defaults = { maxAcceleration: 5, maxDeceleration: 10, maxSpeed: 250 / 3.6 } as const;
      for (const key of ['maxAcceleration', 'maxDeceleration', 'maxSpeed'] as const) {
        const v = constraints[key];
        if (v !== undefined && v < 1e-6) {
          this.warn(dyn!, `${key}="${v}" is not positive; ${defaults[key]} is used (esmini's default)`);
          constraints[key] = defaults[key];
        }
      }
    }
    return {
      type: 'lateralDistance', actor, target: this.str(el, 'entityRef', scope), distance,
      freespace: ['true', '1'].includes(this.str(el, 'freespace', scope, 'false')), continuous: this.str(el, 'continuous', scope, 'false') === 'true',
      displacement, coordinateSystem: cs === 'entity' ? 'entity' : 'road', ...(constraints ? { constraints } : {}),
    };
  }

  private optional(el: XmlElement, name: string, scope: Scope): number | undefined {
    return el.attributes[name] !== undefined ? this.num(el, name, scope) : undefined;
  }

  /** Distance actions measure in road coordinates here; another coordinate system is named. */
  private coordinateSystem(el: XmlElement, scope: Scope): void {
    const cs = this.str(el, 'coordinateSystem', scope, 'entity');
    if (cs === 'trajectory') this.warn(el, 'coordinateSystem="trajectory" is measured along the road');
  }

  private constraints(el: XmlElement, scope: Scope): DistanceConstraints | undefined {
    const dyn = el.children.find((c) => c.name === 'DynamicConstraints');
    if (!dyn) return undefined;
    return {
      maxAcceleration: this.optional(dyn, 'maxAcceleration', scope), maxDeceleration: this.optional(dyn, 'maxDeceleration', scope),
      maxSpeed: this.optional(dyn, 'maxSpeed', scope), maxAccelerationRate: this.optional(dyn, 'maxAccelerationRate', scope),
      maxDecelerationRate: this.optional(dyn, 'maxDecelerationRate', scope),
    };
  }

  private synchronize(el: XmlElement, actor: string, scope: Scope): MotionActionSpec {
    // TargetPositionMaster and TargetPosition hold a position's element directly (no <Position>).
    const master = this.str(el, 'masterEntityRef', scope);
    const spec: MotionActionSpec = {
      type: 'synchronize', actor, master,
      masterPosition: this.position(this.child(el, 'TargetPositionMaster'), scope),
      position: this.position(this.child(el, 'TargetPosition'), scope),
      tolerance: this.num(el, 'targetTolerance', scope, 0), masterTolerance: this.num(el, 'targetToleranceMaster', scope, 0),
    };
    const final = el.children.find((c) => c.name === 'FinalSpeed')?.children[0];
    if (!final) return spec;
    let finalSpeed: FinalSpeed | undefined;
    let steady: XmlElement | undefined;
    if (final.name === 'AbsoluteSpeed') {
      finalSpeed = { absolute: this.num(final, 'value', scope) };
      steady = final.children.find((c) => c.name === 'SteadyState')?.children[0] ?? final.children.find((c) => c.name.startsWith('Target') && c.name.endsWith('SteadyState'));
    } else if (final.name === 'RelativeSpeedToMaster') {
      const type = this.str(final, 'speedTargetValueType', scope, 'delta');
      finalSpeed = { relativeToMaster: this.num(final, 'value', scope), valueType: type === 'factor' ? 'factor' : 'delta' };
      steady = final.children.find((c) => c.name === 'SteadyState')?.children[0] ?? final.children.find((c) => c.name.startsWith('Target') && c.name.endsWith('SteadyState'));
    } else this.unsupported(final);
    if (finalSpeed) spec.finalSpeed = finalSpeed;
    if (steady?.name === 'TargetDistanceSteadyState') spec.steadyState = { distance: this.num(steady, 'distance', scope) };
    else if (steady?.name === 'TargetTimeSteadyState') spec.steadyState = { time: this.num(steady, 'time', scope) };
    else if (steady) this.unsupported(steady);
    return spec;
  }

  /**
   * A position's Orientation: its heading h (0 where only the type is written) and whether it
   * is absolute. Without a `type` (or with one that is neither) esmini takes the default of the
   * file's version: absolute up to OpenSCENARIO 1.2, relative from 1.3 (the standard's default
   * since 1.3); a warning names the line, as esmini warns. `written`: whether h is (a relative
   * Orientation without it turns nothing). Undefined without an Orientation.
   */
  protected orientation(p: XmlElement, scope: Scope): { h: number; absolute: boolean; written: boolean } | undefined {
    const o = p.children.find((c) => c.name === 'Orientation');
    if (!o) return undefined;
    const h = this.num(o, 'h', scope, 0);
    const written = o.attributes.h !== undefined;
    const type = o.attributes.type !== undefined ? this.str(o, 'type', scope) : undefined;
    if (type === 'relative' || type === 'absolute') return { h, absolute: type === 'absolute', written };
    const absolute = this.revMinor <= 2;
    this.warn(o, `${type === undefined ? 'has no type' : `type="${type}" is neither relative nor absolute`}: read as ${absolute ? 'absolute' : 'relative'}, OpenSCENARIO 1.${this.revMinor}'s default (esmini: absolute up to 1.2, relative from 1.3)`);
    return { h, absolute, written };
  }

  /** RelativeObjectPosition and RoutePosition, or undefined for another position element. */
  protected motionPosition(p: XmlElement, scope: Scope, entity?: string): Position | undefined {
    const ahead = this.centreAhead(entity);
    const o = this.orientation(p, scope);
    // A relative Orientation without h turns nothing; an absolute one sets the heading (0 without h).
    const h = o && (o.written || o.absolute) ? o.h : undefined;
    const absolute = o?.absolute === true;
    const orientation = { ...(h !== undefined ? { heading: h } : {}), ...(absolute ? { absoluteHeading: true } : {}) };
    if (p.name === 'RelativeObjectPosition') {
      return {
        type: 'relativeObject', entity: this.str(p, 'entityRef', scope), dx: this.num(p, 'dx', scope), dy: this.num(p, 'dy', scope),
        ...(p.attributes.dz !== undefined ? { dz: this.num(p, 'dz', scope) } : {}),
        ...orientation, ...(ahead ? { ahead } : {}),
      };
    }
    if (p.name === 'RoutePosition') {
      const waypoints = this.route(this.child(p, 'RouteRef'), scope);
      const inRoute = this.child(p, 'InRoutePosition').children[0];
      if (inRoute?.name === 'FromLaneCoordinates') {
        return {
          type: 'route', waypoints, pathS: this.num(inRoute, 'pathS', scope), lane: Math.round(this.num(inRoute, 'laneId', scope)),
          offset: this.num(inRoute, 'laneOffset', scope, 0), ...orientation, ...(ahead ? { ahead } : {}),
        };
      }
      if (inRoute?.name === 'FromRoadCoordinates') {
        return { type: 'route', waypoints, pathS: this.num(inRoute, 'pathS', scope), t: this.num(inRoute, 't', scope), ...orientation, ...(ahead ? { ahead } : {}) };
      }
      this.fail(inRoute ?? p, 'only <FromLaneCoordinates> and <FromRoadCoordinates> route positions are supported');
    }
    return undefined;
  }
}
