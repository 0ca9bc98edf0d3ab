import type { XmlElement } from '../map/xml.js';
import type { Scope } from './OscAttributes.js';
import { OscMotionActions } from './OscMotionActions.js';
import type { ActionWithName, ControllerSpec, FollowGhostSpec } from './Scenario.js';

type Domain = 'longitudinal' | 'lateral';

/** A controller assigned to an entity (ObjectController, AssignControllerAction), as roadcast maps it. */
interface Assigned {
  /** esmini's controller type (the esminiController property, else the Controller's name). */
  type: string;
  /** Our controller, or none: the entity keeps the storyboard's default behaviour. */
  spec?: ControllerSpec;
  /** The domains the controller drives. */
  domains: Domain[];
  /** Known to esmini and mapped (possibly onto the default behaviour). */
  mapped: boolean;
}

/**
 * How esmini's controllers map onto ours. esmini names a controller's type by the property
 * `esminiController` (its own catalogs do so); failing that the Controller's name is taken.
 *   InteractiveController, ExternalController → external (driven over the control channel,
 *     the `ego` message: roadcast's interactive driver);
 *   ACCController → idm (car following; esmini's ACC keeps timeGap behind the lead vehicle
 *     and in its default "additive" mode cruises at the storyboard's speed, in "override"
 *     mode at setSpeed, m/s);
 *   DefaultController, FollowRouteController → the default behaviour (our vehicles keep their
 *     lane and follow the route an AssignRouteAction gives them);
 *   FollowGhostController → followGhost: as in esmini, a ghost copy of the entity runs its
 *     storyboard actions headstartTime s ahead and the entity chases the ghost's trail
 *     (src/sim/Ghost.ts, GhostTrail.ts, GhostFollower.ts), with the controller's properties;
 * Any other (SloppyDriver, Sumo, ALKS_R157SM, ControllerRel2Abs, OffroadFollower, …) is named
 * in a warning with its line, and the entity keeps the storyboard's default behaviour.
 */
function mapController(type: string, props: Map<string, string>): Omit<Assigned, 'type'> | undefined {
  const both: Domain[] = ['longitudinal', 'lateral'];
  switch (type.toLowerCase()) {
    case 'defaultcontroller':
    case 'followroutecontroller':
      return { domains: both, mapped: true };
    case 'followghostcontroller':
      return { spec: { type: 'followGhost', ...followGhostSpec(props) }, domains: both, mapped: true };
    case 'interactivecontroller':
    case 'externalcontroller':
      return { spec: { type: 'external' }, domains: both, mapped: true };
    case 'acccontroller': {
      const timeGap = props.has('timeGap') ? Number(props.get('timeGap')) : undefined;
      const setSpeed = props.has('setSpeed') ? Number(props.get('setSpeed')) : undefined;
      const override = (props.get('mode') ?? 'additive') === 'override';
      const spec: ControllerSpec = { type: 'idm' };
      if (timeGap !== undefined && Number.isFinite(timeGap)) spec.timeHeadway = timeGap;
      if (override && setSpeed !== undefined && Number.isFinite(setSpeed)) spec.desiredSpeed = setSpeed;
      return { spec, domains: ['longitudinal'], mapped: true };
    }
    default:
      return undefined;
  }
}

/** FollowGhostController's properties, with esmini's defaults (ControllerFollowGhost's constructor). */
function followGhostSpec(props: Map<string, string>): FollowGhostSpec {
  const num = (name: string, fallback: number): number => {
    const v = props.has(name) ? Number(props.get(name)) : NaN;
    return Number.isFinite(v) ? v : fallback;
  };
  return {
    headstartTime: num('headstartTime', 3),
    // esmini falls back to "time" for any other value.
    followMode: props.get('followMode') === 'position' ? 'position' : 'time',
    lookaheadSpeed: num('lookaheadSpeed', 0.1),
    minLookaheadSpeed: num('minLookaheadSpeed', 0.1),
    lookaheadSteering: num('lookaheadSteering', 1),
    minLookaheadSteering: num('minLookaheadSteering', 1),
    steeringSpeedInertia: num('steeringSpeedInertia', 0.01),
  };
}

/**
 * Controllers of OpenSCENARIO: ObjectController in an entity, AssignControllerAction and
 * ActivateControllerAction. As in esmini, an assigned controller drives nothing until an
 * ActivateControllerAction (or AssignControllerAction's 1.2 activate attributes) switches it
 * on for its domains; switched off, the entity is back to the storyboard's default behaviour.
 */
export abstract class OscControllers extends OscMotionActions {
  private readonly assigned = new Map<string, Assigned>();

  protected abstract catalogEntry(ref: XmlElement, scope: Scope): { el: XmlElement; file: string; scope: Scope };

  /** The controller an element holds (inline <Controller> or a <CatalogReference> to one), mapped. */
  private controllerOf(holder: XmlElement, scope: Scope): Assigned | undefined {
    let el = holder.children.find((c) => c.name === 'Controller');
    let s = scope;
    let file = this.file;
    const ref = holder.children.find((c) => c.name === 'CatalogReference');
    if (!el && ref) {
      const entry = this.catalogEntry(ref, scope);
      el = entry.el;
      s = entry.scope;
      file = entry.file;
    }
    if (!el) {
      this.warn(holder, 'holds no <Controller> or <CatalogReference>; ignored');
      return undefined;
    }
    const props = new Map<string, string>();
    const properties = el.children.find((c) => c.name === 'Properties');
    for (const p of properties?.children.filter((c) => c.name === 'Property') ?? []) props.set(this.str(p, 'name', s, '', file), this.str(p, 'value', s, '', file));
    const type = props.get('esminiController') ?? this.str(el, 'name', s, 'DefaultController', file);
    const mapped = mapController(type, props);
    if (!mapped) {
      this.warn(holder, `controller "${type}" has no roadcast equivalent; the entity keeps the storyboard's default behaviour`);
      return { type, domains: ['longitudinal', 'lateral'], mapped: false };
    }
    const mode = props.get('followMode');
    if (type.toLowerCase() === 'followghostcontroller' && mode !== undefined && mode !== 'time' && mode !== 'position') this.warn(holder, `followMode="${mode}" is neither time nor position; "time" is used, as esmini does`);
    if (type.toLowerCase() === 'externalcontroller' && props.get('useGhost') === 'true') this.warn(holder, 'useGhost="true": roadcast runs no ghost; the external controller drives the entity directly');
    return { type, ...mapped };
  }

  /**
   * The FollowGhostController assigned to an entity now (after Init): esmini sets up the ghost
   * of the first such entity when the scenario loads.
   */
  protected followGhostOf(entity: string): FollowGhostSpec | undefined {
    const spec = this.assigned.get(entity)?.spec;
    if (spec?.type !== 'followGhost') return undefined;
    const { type: _type, ...ghost } = spec;
    return ghost;
  }

  /** An entity's <ObjectController>: assigned, not yet active. */
  protected objectController(el: XmlElement, entity: string, scope: Scope): void {
    const c = this.controllerOf(el, scope);
    if (c) this.assigned.set(entity, c);
  }

  /**
   * A <ControllerAction> (1.1+) or a bare <ActivateControllerAction> (1.0) of a PrivateAction
   * for its actors: the actions that switch our controllers on or off.
   */
  protected controllerAction(el: XmlElement, actors: string[], scope: Scope, name: string): ActionWithName[] {
    const parts = el.name === 'ControllerAction' ? el.children : [el];
    const out: ActionWithName[] = [];
    for (const part of parts) {
      if (part.name === 'AssignControllerAction') {
        const c = this.controllerOf(part, scope);
        if (!c) continue;
        for (const actor of actors) this.assigned.set(actor, c);
        // OpenSCENARIO 1.2 activates the assigned controller by these attributes.
        const flags = (['activateLongitudinal', 'activateLateral'] as const).map((a) => part.attributes[a] === undefined ? undefined : this.str(part, a, scope) === 'true');
        for (const a of ['activateLighting', 'activateAnimation']) if (part.attributes[a] !== undefined) this.warn(part, `${a} is ignored (roadcast has no lighting or animation controllers)`);
        if (flags.some((f) => f === true)) out.push(...this.activate(part, actors, { longitudinal: flags[0] ?? false, lateral: flags[1] ?? false }, name));
      } else if (part.name === 'ActivateControllerAction') {
        const flag = (a: string): boolean => part.attributes[a] === undefined ? true : this.str(part, a, scope) === 'true';
        for (const a of ['lighting', 'animation']) if (part.attributes[a] !== undefined) this.warn(part, `${a}="${part.attributes[a]}" is ignored (roadcast has no lighting or animation controllers)`);
        out.push(...this.activate(part, actors, { longitudinal: flag('longitudinal'), lateral: flag('lateral') }, name));
      } else {
        this.unsupported(part);
      }
    }
    return out;
  }

  /**
   * Switches each actor's assigned controller on the domains set true (on if any of its
   * domains is set, off if all of them are cleared). Without an assigned controller the
   * default behaviour stays, which is what esmini's DefaultController is.
   */
  private activate(el: XmlElement, actors: string[], on: Record<Domain, boolean>, name: string): ActionWithName[] {
    const out: ActionWithName[] = [];
    for (const actor of actors) {
      const c = this.assigned.get(actor);
      if (!c) continue;
      if (!c.mapped) {
        this.warn(el, `activates controller "${c.type}" of "${actor}", which roadcast does not model; the storyboard's default behaviour is kept`);
        continue;
      }
      if (!c.spec) continue;
      const enable = c.domains.some((d) => on[d]);
      if (enable && c.domains.some((d) => !on[d])) this.warn(el, `controller "${c.type}" drives both domains in roadcast; it is activated on both`);
      out.push({ type: 'controller', actor, controller: c.spec, enable, name });
    }
    return out;
  }
}
