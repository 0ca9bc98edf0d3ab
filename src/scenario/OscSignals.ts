import type { RoadNetwork } from '../map/RoadNetwork.js';
import type { XmlElement } from '../map/xml.js';
import type { AttributeReader, Scope } from './OscAttributes.js';
import type { ActionWithName, ConditionKind, SignalControllerPlan } from './Scenario.js';

/**
 * Reads OpenSCENARIO's traffic signals: the RoadNetwork's TrafficSignalControllers (phases with
 * a duration and the state of each signal, a delay after a reference controller), the
 * InfrastructureAction's TrafficSignalControllerAction (start a phase) and
 * TrafficSignalStateAction (hold a signal in a state), and TrafficSignalCondition /
 * TrafficSignalControllerCondition. Signal ids are the OpenDRIVE map's; one the map lacks is
 * an error naming the line. The behaviour is src/sim/TrafficSignals.ts.
 */
export class OscSignals {
  /** The map, once read: signal ids are checked against it. */
  network?: RoadNetwork;
  private readonly controllerIds = new Set<string>();

  constructor(private readonly r: AttributeReader) {}

  controllers(roadNetwork: XmlElement | undefined, scope: Scope): SignalControllerPlan[] {
    const list = roadNetwork?.children.find((c) => c.name === 'TrafficSignals');
    const out: SignalControllerPlan[] = [];
    for (const c of list?.children ?? []) {
      if (c.name !== 'TrafficSignalController') {
        this.r.unsupported(c);
        continue;
      }
      const id = this.r.str(c, 'name', scope);
      if (this.controllerIds.has(id)) this.r.fail(c, `TrafficSignalController "${id}" is declared twice`);
      this.controllerIds.add(id);
      const phases = c.children.filter((p) => p.name === 'Phase').map((p) => ({
        name: this.r.str(p, 'name', scope),
        duration: this.positive(p, 'duration', scope),
        states: p.children.filter((x) => x.name === 'TrafficSignalState').map((x) => ({ signal: this.signal(x, 'trafficSignalId', scope), state: this.r.str(x, 'state', scope) })),
      }));
      if (phases.length === 0) this.r.fail(c, `TrafficSignalController "${id}" has no <Phase>`);
      out.push({
        id,
        ...(c.attributes.delay !== undefined ? { delay: this.r.num(c, 'delay', scope) } : {}),
        ...(c.attributes.reference !== undefined ? { reference: this.r.str(c, 'reference', scope) } : {}),
        phases,
      });
    }
    for (const plan of out) {
      const el = list!.children.find((c) => c.attributes.name === plan.id)!;
      if (plan.reference !== undefined && !this.controllerIds.has(plan.reference)) this.r.fail(el, `reference="${plan.reference}" names no TrafficSignalController (controllers: ${[...this.controllerIds].join(', ')})`);
    }
    return out;
  }

  /** An InfrastructureAction (the GlobalAction's child). */
  action(el: XmlElement, scope: Scope, name: string): ActionWithName[] {
    const inner = el.children.find((c) => c.name === 'TrafficSignalAction')?.children[0];
    if (inner?.name === 'TrafficSignalControllerAction') {
      return [{ name, type: 'signalPhase', controller: this.controller(inner, scope), phase: this.r.str(inner, 'phase', scope) }];
    }
    if (inner?.name === 'TrafficSignalStateAction') return [{ name, type: 'signalState', signal: this.signal(inner, 'name', scope), state: this.r.str(inner, 'state', scope) }];
    this.r.unsupported(inner ?? el);
    return [];
  }

  /** A TrafficSignalCondition or TrafficSignalControllerCondition. */
  condition(el: XmlElement, scope: Scope): ConditionKind {
    if (el.name === 'TrafficSignalCondition') return { type: 'signalState', signal: this.signal(el, 'name', scope), state: this.r.str(el, 'state', scope) };
    return { type: 'signalPhase', controller: this.controller(el, scope), phase: this.r.str(el, 'phase', scope) };
  }

  private signal(el: XmlElement, attribute: string, scope: Scope): string {
    const id = this.r.str(el, attribute, scope);
    const known = this.network?.signals().some((s) => s.id === id && s.dynamic);
    if (this.network && !known) this.r.fail(el, `${attribute}="${id}": the map has no dynamic signal with that id`);
    return id;
  }

  /** A controller of the RoadNetwork's TrafficSignals, or one of the map's (fixed-time, phases green/amber/red). */
  private controller(el: XmlElement, scope: Scope): string {
    const id = this.r.str(el, 'trafficSignalControllerRef', scope);
    const inMap = this.network?.controllers.some((c) => c.id === id);
    if (!this.controllerIds.has(id) && this.network && !inMap) this.r.fail(el, `trafficSignalControllerRef="${id}" names no TrafficSignalController of the scenario or the map`);
    return id;
  }

  private positive(el: XmlElement, attribute: string, scope: Scope): number {
    const v = this.r.num(el, attribute, scope);
    if (!(v > 0)) this.r.fail(el, `${attribute} must be > 0, got ${v}`);
    return v;
  }
}
