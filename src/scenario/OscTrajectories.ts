import type { XmlElement } from '../map/xml.js';
import type { Scope } from './OscAttributes.js';
import { OscControllers } from './OscControllers.js';
import type { ActionWithName } from './Scenario.js';
import type { SpeedConstraints, SpeedProfileEntry, TrajectoryShape, TrajectoryTiming, VertexHeading } from './TrajectorySpec.js';

/**
 * How FollowTrajectoryAction (1.0–1.2) and SpeedProfileAction (1.2) read. A Trajectory comes
 * inline, in a TrajectoryRef (1.1+) or from a catalog; its shape is a Polyline, Clothoid or
 * Nurbs whose positions are read by the scenario's position reader (of the entity's reference
 * point). What the simulation does with them: src/sim/TrajectoryFollower.ts, SpeedProfilePlan.ts.
 */
export abstract class OscTrajectories extends OscControllers {
  private trajectoryShape(holder: XmlElement, scope: Scope): { shape: TrajectoryShape; el: XmlElement } | undefined {
    const refEl = holder.children.find((c) => c.name === 'TrajectoryRef') ?? holder;
    let traj = refEl.children.find((c) => c.name === 'Trajectory');
    let s = scope;
    const ref = refEl.children.find((c) => c.name === 'CatalogReference');
    if (!traj && ref) {
      const entry = this.catalogEntry(ref, scope);
      traj = entry.el;
      s = entry.scope;
    }
    if (!traj) this.fail(holder, `<${holder.name}> needs a <Trajectory> or <CatalogReference> (in a <TrajectoryRef> from 1.1)`);
    s = this.declare(traj, s);
    if (this.str(traj, 'closed', s, 'false') === 'true') this.warn(traj, 'closed="true" is followed once, as an open trajectory');
    const shapeEl = this.child(traj, 'Shape').children[0];
    if (!shapeEl) this.fail(traj, '<Shape> is empty');
    const time = (el: XmlElement): number | undefined => (el.attributes.time === undefined ? undefined : this.num(el, 'time', s));
    switch (shapeEl.name) {
      case 'Polyline': {
        const vertices = shapeEl.children.filter((c) => c.name === 'Vertex').map((v) => {
          const posEl = this.child(v, 'Position');
          const heading = this.vertexHeading(posEl, s);
          return { position: this.position(posEl, s), time: time(v), ...(heading ? { heading } : {}) };
        });
        if (vertices.length < 2) this.fail(shapeEl, `a Polyline needs at least two vertices, got ${vertices.length}`);
        return { shape: { type: 'polyline', vertices }, el: shapeEl };
      }
      case 'Clothoid': {
        const rate = shapeEl.attributes.curvaturePrime !== undefined ? this.num(shapeEl, 'curvaturePrime', s) : this.num(shapeEl, 'curvatureDot', s, 0);
        const length = this.num(shapeEl, 'length', s);
        if (!(length > 0)) this.fail(shapeEl, `length must be > 0 (m), got ${length}`);
        const startTime = shapeEl.attributes.startTime !== undefined ? this.num(shapeEl, 'startTime', s) : undefined;
        const stopTime = shapeEl.attributes.stopTime !== undefined ? this.num(shapeEl, 'stopTime', s) : undefined;
        return { shape: { type: 'clothoid', start: this.position(this.child(shapeEl, 'Position'), s), curvature: this.num(shapeEl, 'curvature', s), curvatureRate: rate, length, startTime, stopTime }, el: shapeEl };
      }
      case 'Nurbs': {
        const order = Math.round(this.num(shapeEl, 'order', s));
        const controlPoints = shapeEl.children.filter((c) => c.name === 'ControlPoint').map((cp) => ({ position: this.position(this.child(cp, 'Position'), s), weight: this.num(cp, 'weight', s, 1), time: time(cp) }));
        const knots = shapeEl.children.filter((c) => c.name === 'Knot').map((k) => this.num(k, 'value', s));
        if (order < 1 || controlPoints.length < order) this.fail(shapeEl, `a Nurbs of order ${order} needs at least ${order} control points, got ${controlPoints.length}`);
        if (knots.length !== controlPoints.length + order) this.fail(shapeEl, `a Nurbs of order ${order} with ${controlPoints.length} control points needs ${controlPoints.length + order} knots, got ${knots.length}`);
        for (let i = 1; i < knots.length; i++) if (knots[i] < knots[i - 1]) this.fail(shapeEl, 'the knot vector must not decrease');
        if (controlPoints.some((c) => !(c.weight > 0))) this.fail(shapeEl, 'control point weights must be > 0');
        return { shape: { type: 'nurbs', order, controlPoints, knots }, el: shapeEl };
      }
      default:
        this.unsupported(shapeEl);
        return undefined;
    }
  }

  /**
   * The heading a vertex's position writes, which replaces the computed vertex heading as in
   * esmini (a WorldPosition's `h`, even "0", or an Orientation's `h`: the H_ABS/H_REL position
   * modes that PolyLineShape::CalculatePolyLine keeps). Undefined when none is written.
   */
  private vertexHeading(posEl: XmlElement, scope: Scope): VertexHeading | undefined {
    const p = posEl.children[0];
    if (!p) return undefined;
    if (p.name === 'WorldPosition') return p.attributes.h !== undefined ? { type: 'absolute', h: this.num(p, 'h', scope) } : undefined;
    const o = this.orientation(p, scope);
    // esmini marks a vertex's heading set (H_ABS/H_REL) by an Orientation's h; an absolute type alone sets h = 0.
    if (!o || (!o.written && !o.absolute)) return undefined;
    const h = o.h;
    if (o.absolute) return { type: 'absolute', h };
    // Relative: the position reader turns lane, road, object and route positions by it; the
    // relative lane, road and world positions it reads without their Orientation.
    return { type: 'resolved', add: ['RelativeLanePosition', 'RelativeRoadPosition', 'RelativeWorldPosition'].includes(p.name) ? h : 0 };
  }

  /** Whether every point of a shape carries a time (needed by TimeReference Timing). */
  private static timed(shape: TrajectoryShape): boolean {
    if (shape.type === 'polyline') return shape.vertices.every((v) => v.time !== undefined);
    if (shape.type === 'clothoid') return shape.startTime !== undefined && shape.stopTime !== undefined;
    return shape.controlPoints.every((c) => c.time !== undefined);
  }

  /** A FollowTrajectoryAction for each actor. */
  protected followTrajectory(el: XmlElement, actors: string[], scope: Scope, name: string): ActionWithName[] {
    const read = this.trajectoryShape(el, scope);
    if (!read) return [];
    const { shape } = read;
    const tr = this.child(el, 'TimeReference').children[0];
    let timing: TrajectoryTiming | undefined;
    if (tr?.name === 'Timing') {
      const domain = this.str(tr, 'domainAbsoluteRelative', scope, 'absolute');
      if (domain !== 'absolute' && domain !== 'relative') this.fail(tr, `domainAbsoluteRelative="${domain}" is not absolute or relative`);
      timing = { domain, scale: this.num(tr, 'scale', scope, 1), offset: this.num(tr, 'offset', scope, 0) };
      if (!(timing.scale > 0)) this.fail(tr, `scale must be > 0, got ${timing.scale}`);
      if (!OscTrajectories.timed(shape)) {
        this.warn(tr, 'needs a time at every vertex (control point, clothoid start and stop); the entity follows at its own speed (TimeReference None)');
        timing = undefined;
      }
    } else if (tr && tr.name !== 'None') this.unsupported(tr);
    const modeEl = el.children.find((c) => c.name === 'TrajectoryFollowingMode');
    const mode = modeEl ? this.str(modeEl, 'followingMode', scope, 'position') : 'position';
    if (mode !== 'position' && mode !== 'follow') this.fail(modeEl!, `followingMode="${mode}" is not position or follow`);
    // esmini spawns no ghost for a trajectory: in both modes the entity stays on the curve. The
    // mode picks a polyline's corner heading and timed speed profile (TrajectoryPolyline.ts),
    // as esmini's does. The note stays because the standard's "follow" suggests a controller
    // trailing the curve, which neither player does.
    if (mode === 'follow') this.warn(modeEl!, 'followingMode="follow" keeps the reference point on the trajectory, as esmini does (no ghost or controller trails it); as in esmini it only turns a polyline\'s heading across each whole segment and passes timed vertices at constant acceleration per segment from the entity\'s speed');
    const initialDistanceOffset = this.num(el, 'initialDistanceOffset', scope, 0);
    if (initialDistanceOffset < 0) this.fail(el, `initialDistanceOffset must be >= 0 (m), got ${initialDistanceOffset}`);
    return actors.map((actor) => ({ type: 'trajectory', actor, shape, timing, followingMode: mode, initialDistanceOffset, name }));
  }

  /** A SpeedProfileAction (OpenSCENARIO 1.2) for each actor. */
  protected speedProfile(el: XmlElement, actors: string[], scope: Scope, name: string): ActionWithName[] {
    const mode = this.str(el, 'followingMode', scope, 'follow');
    if (mode !== 'position' && mode !== 'follow') this.fail(el, `followingMode="${mode}" is not position or follow`);
    const entries: SpeedProfileEntry[] = el.children.filter((c) => c.name === 'SpeedProfileEntry').map((e) => {
      const time = e.attributes.time !== undefined ? this.num(e, 'time', scope) : undefined;
      if (time !== undefined && time < 0) this.fail(e, `time must be >= 0 (s), got ${time}`);
      return { speed: this.num(e, 'speed', scope), time };
    });
    if (entries.length === 0) this.fail(el, 'a SpeedProfileAction needs at least one <SpeedProfileEntry>');
    const dc = el.children.find((c) => c.name === 'DynamicConstraints');
    let constraints: SpeedConstraints | undefined;
    if (dc) {
      const opt = (a: string): number | undefined => (dc.attributes[a] === undefined ? undefined : Math.abs(this.num(dc, a, scope)));
      constraints = { maxAcceleration: opt('maxAcceleration'), maxDeceleration: opt('maxDeceleration'), maxSpeed: opt('maxSpeed') };
      for (const a of ['maxAccelerationRate', 'maxDecelerationRate']) if (dc.attributes[a] !== undefined) this.warn(dc, `${a} is ignored (speed changes at constant acceleration between entries)`);
      if (mode === 'position') this.warn(dc, 'is ignored in followingMode="position" (the profile is followed exactly)');
    }
    const relativeTo = el.attributes.entityRef !== undefined ? this.str(el, 'entityRef', scope) : undefined;
    return actors.map((actor) => ({ type: 'speedProfile', actor, entries, relativeTo, followingMode: mode, constraints, name }));
  }
}
