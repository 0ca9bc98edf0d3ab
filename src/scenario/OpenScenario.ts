import { readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ACTOR_KINDS, type ActorKindName } from '../core/actorKinds.js';
import { UserError } from '../core/errors.js';
import { FILE_LIMITS, readUserText } from '../core/UserFile.js';
import { readOpenDrive } from '../map/OpenDriveReader.js';
import type { RoadNetwork } from '../map/RoadNetwork.js';
import { parseXml, type XmlElement } from '../map/xml.js';
import { describePlacementProblem, placementOrder } from './placementOrder.js';
import { freeSpaceNetwork } from './FreeSpace.js';
import type { Scope } from './OscAttributes.js';
import { OscTrajectories } from './OscTrajectories.js';
import { trajectoryStart } from './TrajectorySpec.js';
import type { LoadOptions } from './loadScenario.js';
import type {
  ActionWithName, ActorSpec, ActSpec, Dynamics, DynamicsShape, EventSpec, ParameterSpec, Position, Scenario,
} from './Scenario.js';
import { isClearWeather, type Weather } from './Scenario.js';

/**
 * Reads the OpenSCENARIO 1.x subset that esmini's classic examples use into a Scenario:
 * parameters (`$name`, `${expr}`, story-level declarations), catalogs by directory, entities
 * (vehicles, pedestrians, misc objects, with their bounding boxes), Init (TeleportAction with
 * world/lane/road/relative positions, SpeedAction), Story/Act/ManeuverGroup/Maneuver/Event
 * with start and stop triggers, the conditions and actions the Scenario model has. Anything
 * else is named, with its file and line, in `scenario.warnings`, never silently dropped.
 */
export function readOpenScenario(file: string, options: LoadOptions = {}): Scenario {
  const source = readUserText(file, { what: 'scenario', maxBytes: FILE_LIMITS.openScenario });
  return new OscReader(file, options).read(parseXml(source, file));
}

class OscReader extends OscTrajectories {
  private readonly base: string;
  private catalogDirs = new Map<string, string>();
  private readonly catalogCache = new Map<string, { file: string; root: XmlElement }[]>();
  private readonly entityKinds = new Map<string, { kind: ActorKindName; offset: number }>();
  private actionCount = 0;
  private network?: RoadNetwork;

  constructor(file: string, private readonly options: LoadOptions) {
    super(file);
    this.base = dirname(resolve(file));
  }

  // ------------------------------------------------------------ catalogs

  private catalogFiles(d: string, ref: XmlElement): { file: string; root: XmlElement }[] {
    let files = this.catalogCache.get(d);
    if (!files) {
      files = [];
      let names: string[] = [];
      try {
        names = readdirSync(d).filter((n) => n.endsWith('.xosc')).sort();
      } catch {
        this.fail(ref, `catalog directory ${d} cannot be read`);
      }
      for (const n of names) {
        const f = join(d, n);
        files.push({ file: f, root: parseXml(readUserText(f, { what: 'catalog', maxBytes: FILE_LIMITS.openScenario }), f) });
      }
      this.catalogCache.set(d, files);
    }
    return files;
  }

  /**
   * A catalog entry by catalog and entry name. The catalog whose declared name matches wins;
   * failing that, like esmini, the entry is taken from a catalog of another name (the one in
   * the directory of the reference's catalog type first, then any, in file order), with a
   * warning: files often name a catalog slightly differently from its declaration.
   */
  protected catalogEntry(ref: XmlElement, scope: Scope): { el: XmlElement; file: string; scope: Scope } {
    const catalogName = this.str(ref, 'catalogName', scope);
    const entryName = this.str(ref, 'entryName', scope);
    const type = catalogName.replace(/s$/, '');
    const dir = this.catalogDirs.get(catalogName) ?? [...this.catalogDirs].find(([k]) => k.startsWith(type.replace(/Catalog$/, '')))?.[1];
    const dirs = dir ? [dir, ...[...this.catalogDirs.values()].filter((d) => d !== dir)] : [...this.catalogDirs.values()];
    let fallback: { entry: XmlElement; file: string; declared: string } | undefined;
    let found: { entry: XmlElement; file: string } | undefined;
    for (const d of dirs) {
      for (const { file, root } of this.catalogFiles(d, ref)) {
        const catalog = root.children.find((c) => c.name === 'Catalog');
        const entry = catalog?.children.find((c) => c.attributes.name === entryName);
        if (!catalog || !entry) continue;
        if (catalog.attributes.name === catalogName) {
          found = { entry, file };
          break;
        }
        fallback ??= { entry, file, declared: catalog.attributes.name ?? '' };
      }
      if (found) break;
    }
    if (!found && fallback) {
      this.warn(ref, `catalogName="${catalogName}": entry "${entryName}" taken from the catalog declared as "${fallback.declared}" in ${fallback.file}`);
      found = fallback;
    }
    if (!found) this.fail(ref, `catalog entry "${entryName}" not found in catalog "${catalogName}" (directories: ${dirs.join(', ') || 'none declared'})`);
    // Entry defaults, then the reference's assignments.
    let entryScope = this.declare(found.entry, new Map(scope), found.file);
    const assignments = ref.children.find((c) => c.name === 'ParameterAssignments');
    if (assignments) {
      entryScope = new Map(entryScope);
      // esmini accepts a parameterRef written with its "$" (synchronize.xosc does).
      for (const a of assignments.children) entryScope.set((a.attributes.parameterRef ?? '').replace(/^\$/, ''), this.value(a, 'value', scope) ?? '');
    }
    return { el: found.entry, file: found.file, scope: entryScope };
  }

  // ------------------------------------------------------------ top level

  read(root: XmlElement): Scenario {
    if (root.name !== 'OpenSCENARIO') this.fail(root, `expected an <OpenSCENARIO> root element, got <${root.name}>`);
    const parameters: ParameterSpec[] = [];
    const scope = this.declare(root, new Map(), this.file, this.options.params, parameters);
    for (const name of Object.keys(this.options.params ?? {})) {
      if (!parameters.some((p) => p.name === name)) throw new UserError(`--param ${name}: the scenario declares no parameter "${name}" (parameters: ${parameters.map((p) => p.name).join(', ') || 'none'})`, this.file);
    }
    this.readVersion(root);
    const known = new Set(['FileHeader', 'ParameterDeclarations', 'VariableDeclarations', 'CatalogLocations', 'RoadNetwork', 'Entities', 'Storyboard']);
    for (const c of root.children) if (!known.has(c.name)) this.unsupported(c);

    const locations = root.children.find((c) => c.name === 'CatalogLocations');
    for (const loc of locations?.children ?? []) {
      const dir = loc.children.find((c) => c.name === 'Directory');
      if (dir) this.catalogDirs.set(loc.name, resolve(this.base, this.str(dir, 'path', scope)));
    }

    const distribution = root.children.find((c) => c.name === 'ParameterValueDistribution');
    if (distribution) {
      const scenarioFile = distribution.children.find((c) => c.name === 'ScenarioFile')?.attributes.filepath;
      this.fail(distribution, `this is a ParameterValueDistribution file (variants of ${scenarioFile ? `the scenario ${scenarioFile}` : 'a scenario'}), not a scenario: run all its variants with \`roadcast sweep ${this.file} --out DIR\`, or one of them with \`roadcast run ${scenarioFile ?? 'SCENARIO'} --param NAME=VALUE\``);
    }
    const catalog = root.children.find((c) => c.name === 'Catalog');
    if (catalog) this.fail(catalog, `this is a catalog ("${catalog.attributes.name ?? ''}"), not a scenario: scenarios use its entries through <CatalogLocations> and <CatalogReference>`);
    const roadNetwork = root.children.find((c) => c.name === 'RoadNetwork');
    const logic = roadNetwork?.children.find((c) => c.name === 'LogicFile');
    const logicPath = logic ? this.str(logic, 'filepath', scope, '').trim() : '';
    // No road network (or an empty LogicFile path): free space, see FreeSpace.ts.
    const mapFile = logicPath ? resolve(this.base, logicPath) : '';
    const network = logicPath ? readOpenDrive(mapFile) : freeSpaceNetwork();
    this.network = network;
    this.signalReader.network = network;
    const signalControllers = this.signalReader.controllers(roadNetwork, scope);
    for (const c of roadNetwork?.children ?? []) if (c.name !== 'LogicFile' && c.name !== 'SceneGraphFile' && c.name !== 'TrafficSignals') this.unsupported(c);

    const entities = root.children.find((c) => c.name === 'Entities');
    const actors: ActorSpec[] = [];
    const entityEls = new Map<string, XmlElement>();
    for (const obj of entities?.children ?? []) {
      if (obj.name !== 'ScenarioObject') {
        this.unsupported(obj);
        continue;
      }
      actors.push(this.entity(obj, scope));
      entityEls.set(actors[actors.length - 1].id, obj);
    }
    if (actors.length === 0) this.fail(entities ?? root, 'the scenario has no entities');
    const ego = actors.find((a) => /^ego$/i.test(a.id)) ?? actors.find((a) => /ego|host/i.test(a.id)) ?? actors[0];
    ego.ego = true;

    const storyboard = root.children.find((c) => c.name === 'Storyboard');
    if (!storyboard) this.fail(root, 'the scenario has no <Storyboard>');
    const acts: ActSpec[] = [];
    const placed = new Set<string>();
    const teleports = new Map<string, XmlElement>();
    const init = storyboard.children.find((c) => c.name === 'Init');
    const initEvents: EventSpec[] = [];
    const ignoredInit: { id: string; what: string }[] = [];
    let weather: Weather | undefined;
    for (const group of init?.children.find((c) => c.name === 'Actions')?.children ?? []) {
      if (group.name === 'Private') {
        const id = this.str(group, 'entityRef', scope);
        const actor = actors.find((a) => a.id === id);
        if (!actor) this.fail(group, `no entity "${id}" (entities: ${actors.map((a) => a.id).join(', ')})`);
        for (const pa of group.children) {
          const inner = pa.children[0];
          if (!inner) continue;
          if (inner.name === 'TeleportAction') {
            actor.position = this.position(this.child(inner, 'Position'), scope, id);
            placed.add(id);
            teleports.set(id, inner);
            continue;
          }
          const speed = inner.name === 'LongitudinalAction' ? inner.children.find((c) => c.name === 'SpeedAction') : undefined;
          const absolute = speed?.children.find((c) => c.name === 'SpeedActionTarget')?.children.find((c) => c.name === 'AbsoluteTargetSpeed');
          const dyn = speed?.children.find((c) => c.name === 'SpeedActionDynamics');
          if (absolute && dyn && this.str(dyn, 'dynamicsShape', scope) === 'step') {
            actor.speed = this.num(absolute, 'value', scope);
            continue;
          }
          const actions = this.privateAction(pa, [id], scope, `init/${id}`);
          // An entity whose Init has no TeleportAction starts where its trajectory does.
          const traj = actions.find((a) => a.type === 'trajectory');
          if (traj?.type === 'trajectory' && !placed.has(id)) {
            actor.position = trajectoryStart(traj.shape);
            placed.add(id);
          }
          if (actions.length === 0) ignoredInit.push({ id, what: inner.children[0]?.name ?? inner.name });
          if (actions.length > 0) initEvents.push({ name: `init/${id}/${initEvents.length}`, priority: 'parallel', maxCount: 1, actions });
        }
      } else if (group.name === 'GlobalAction' && group.children[0]?.name === 'EnvironmentAction') {
        weather = this.environment(group.children[0], scope);
      } else {
        const actions = this.globalAction(group, scope, 'init');
        if (actions.length > 0) initEvents.push({ name: `init/global/${initEvents.length}`, priority: 'parallel', maxCount: 1, actions });
      }
    }
    for (const actor of actors) {
      if (!placed.has(actor.id)) {
        const first = network.roads[0];
        this.warn(entityEls.get(actor.id)!, `entity "${actor.id}" has no TeleportAction in Init; it is added by an AddEntityAction or placed at ${first ? `road ${first.id} s=0` : 'x=0, y=0 (free space)'}`);
        actor.position = first ? { type: 'lane', road: first.id, lane: -1, s: 0 } : { type: 'world', x: 0, y: 0, heading: 0 };
        actor.spawnLater = true;
      }
    }
    // esmini gives a ghost to the first entity with a FollowGhostController only.
    const ghosted = actors.filter((a) => this.followGhostOf(a.id));
    if (ghosted[0]) ghosted[0].ghost = this.followGhostOf(ghosted[0].id);
    for (const a of ghosted.slice(1)) this.warn(entityEls.get(a.id)!, `entity "${a.id}" gets no ghost: esmini sets up only the first FollowGhostController's ghost ("${ghosted[0].id}")`);
    const placement = placementOrder(actors);
    if ('problem' in placement) {
      const actor = actors[placement.problem.index];
      this.fail(teleports.get(actor.id) ?? storyboard, `entity "${actor.id}": ${describePlacementProblem(placement.problem, actors)}`);
    }
    if (initEvents.length > 0) acts.push({ name: '__init__', story: '__init__', maneuvers: [{ name: '__init__', group: '__init__', actors: [], events: initEvents }] });

    for (const story of storyboard.children.filter((c) => c.name === 'Story')) {
      const storyName = this.str(story, 'name', scope, 'story');
      const storyScope = this.declare(story, scope);
      for (const act of story.children) {
        if (act.name === 'ParameterDeclarations') continue;
        if (act.name !== 'Act') {
          this.unsupported(act);
          continue;
        }
        acts.push(this.act(act, storyName, storyScope));
      }
    }
    for (const c of storyboard.children) if (!['Init', 'Story', 'StopTrigger'].includes(c.name)) this.unsupported(c);
    if (!placed.has(ego.id)) this.egoPlacedLater(ego.id, acts, ignoredInit, entityEls.get(ego.id)!);
    const stop = storyboard.children.find((c) => c.name === 'StopTrigger');
    const values = this.values.declarations(root, scope);
    const stopTrigger = stop ? this.trigger(stop, scope) : undefined;
    this.values.check(values);
    const hasValues = Object.keys(values.parameter).length + Object.keys(values.variable).length > 0;

    return {
      name: this.str(root.children.find((c) => c.name === 'FileHeader') ?? root, 'description', scope, this.file).trim() || this.file,
      file: this.file,
      mapFile,
      network,
      duration: 30,
      step: 0.01,
      seed: 1,
      buildings: 12,
      furniture: true,
      actors,
      ...(weather && !isClearWeather(weather) ? { weather } : {}),
      ...(signalControllers.length > 0 ? { signals: { controllers: signalControllers } } : {}),
      storyboard: { acts, stopTrigger, ...(hasValues ? { values } : {}) },
      parameters,
      parameterValues: Object.fromEntries(parameters.map((p) => [p.name, scope.get(p.name) as number | string])),
      warnings: this.warnings,
    };
  }

  private entity(obj: XmlElement, scope: Scope): ActorSpec {
    const id = this.str(obj, 'name', scope);
    let def = obj.children.find((c) => c.name !== 'ObjectController');
    let file = this.file;
    let entryScope = scope;
    if (!def) this.fail(obj, `entity "${id}" has no Vehicle, Pedestrian, MiscObject or CatalogReference`);
    if (def.name === 'CatalogReference') {
      const entry = this.catalogEntry(def, scope);
      def = entry.el;
      file = entry.file;
      entryScope = entry.scope;
    }
    for (const c of obj.children) if (c.name === 'ObjectController') this.objectController(c, id, scope);
    let kind: ActorKindName;
    switch (def.name) {
      case 'Vehicle': {
        const category = this.str(def, 'vehicleCategory', entryScope, 'car', file);
        kind = category === 'van' ? 'van' : category === 'truck' || category === 'semitrailer' || category === 'trailer' ? 'truck' : category === 'bus' ? 'bus' : category === 'bicycle' || category === 'motorbike' ? 'cyclist' : 'car';
        break;
      }
      case 'Pedestrian': {
        const model = `${def.attributes.model ?? ''} ${def.attributes.name ?? ''}`.toLowerCase();
        kind = /child|kid/.test(model) ? 'child' : 'pedestrian';
        break;
      }
      case 'MiscObject': {
        const category = this.str(def, 'miscObjectCategory', entryScope, 'obstacle', file).toLowerCase();
        kind = category === 'barrier' || category === 'railing' || category === 'wall' ? 'barrier' : 'cone';
        break;
      }
      default:
        this.fail(def, `entity "${id}": <${def.name}> is not supported (expected Vehicle, Pedestrian, MiscObject or CatalogReference)`, file);
    }
    const box = def.children.find((c) => c.name === 'BoundingBox');
    const dims = box?.children.find((c) => c.name === 'Dimensions');
    const center = box?.children.find((c) => c.name === 'Center');
    // esmini's default controller drives on through traffic lights: so do OpenSCENARIO entities here.
    const spec: ActorSpec = { id, kind, ego: false, position: { type: 'world', x: 0, y: 0 }, speed: 0, controllers: [], respectSignals: false };
    if (dims) {
      spec.dimensions = { length: this.num(dims, 'length', entryScope, ACTOR_KINDS[kind].length, file), width: this.num(dims, 'width', entryScope, ACTOR_KINDS[kind].width, file), height: this.num(dims, 'height', entryScope, ACTOR_KINDS[kind].height, file) };
    }
    const performance = def.name === 'Vehicle' ? def.children.find((c) => c.name === 'Performance') : undefined;
    if (performance) {
      const limit = (name: string) => this.num(performance, name, entryScope, undefined, file);
      spec.performance = { maxSpeed: limit('maxSpeed'), maxAcceleration: limit('maxAcceleration'), maxDeceleration: limit('maxDeceleration') };
    }
    const offset = center ? this.num(center, 'x', entryScope, 0, file) : 0;
    this.entityKinds.set(id, { kind, offset });
    if (offset !== 0) spec.referenceOffset = offset;
    return spec;
  }

  /**
   * An ego with no Init position must enter the world through the storyboard (AddEntityAction
   * or TeleportAction); one that never does would leave the sensors with nothing to ride on,
   * so the file is refused here, naming what it lacks, before anything runs.
   */
  private egoPlacedLater(ego: string, acts: ActSpec[], ignoredInit: { id: string; what: string }[], el: XmlElement): void {
    const actions = acts.flatMap((a) => a.maneuvers.flatMap((m) => m.events.flatMap((e) => e.actions)));
    if (actions.some((a) => (a.type === 'spawn' || a.type === 'teleport') && a.actor === ego)) return;
    const ignored = [...new Set(ignoredInit.filter((x) => x.id === ego).map((x) => `<${x.what}>`))];
    const only = ignored.length > 0 ? `; its Init has only ${ignored.join(', ')}, which roadcast does not support` : '';
    this.fail(el, `the ego "${ego}" is never placed: no TeleportAction in Init and no AddEntityAction or TeleportAction in the Story gives it a position${only}`);
  }

  // ------------------------------------------------------------ positions

  protected centreAhead(entity: string | undefined): number {
    return entity ? this.entityKinds.get(entity)?.offset ?? 0 : 0;
  }

  /** An OpenSCENARIO position (of the entity's reference point) as one of the body centre. */
  protected position(el: XmlElement, scope: Scope, entity?: string): Position {
    const p = el.children[0];
    if (!p) this.fail(el, '<Position> is empty');
    if (this.network?.roads.length === 0 && /^(Relative)?(Lane|Road|Route)Position$/.test(p.name)) this.fail(p, `free space (the scenario has no road network): a <${p.name}> needs roads; use a WorldPosition or RelativeWorldPosition`);
    const offset = entity ? this.entityKinds.get(entity)?.offset ?? 0 : 0;
    // The Orientation: relative to the lane (road) direction, or absolute (its type, else the version's default).
    const o = this.orientation(p, scope);
    const heading = (): number | undefined => (o && (o.written || o.absolute) ? o.h : undefined);
    const absolute = o?.absolute ? { absoluteHeading: true } : {};
    // The road's direction at s: an absolute heading's body-centre offset is turned into road coordinates by it.
    const roadHeading = (road: string, s: number): number => this.network?.roads.find((r) => r.id === road)?.pose(Math.max(s, 0), 0).heading ?? 0;
    switch (p.name) {
      case 'LanePosition': {
        const road = this.str(p, 'roadId', scope);
        const lane = Math.round(this.num(p, 'laneId', scope));
        const h = heading();
        // The body centre lies `offset` ahead of the reference point along the entity's heading:
        // the lane's direction of travel (−s on a lane against s), turned by the relative heading.
        const forward = this.network?.roads.find((r) => r.id === road)?.laneRunsWithS(lane) ?? lane < 0;
        const s = this.num(p, 's', scope);
        const along = absolute.absoluteHeading ? h! - roadHeading(road, s) : (forward ? 0 : Math.PI) + (h ?? 0);
        const ds = offset * Math.cos(along), dt = offset * Math.sin(along);
        // (ds, dt) is in road coordinates; a lane position's offset runs along t.
        return { type: 'lane', road, lane, s: s + ds, offset: this.num(p, 'offset', scope, 0) + dt, heading: h, ...absolute };
      }
      case 'RoadPosition': {
        const h = heading();
        const road = this.str(p, 'roadId', scope), s = this.num(p, 's', scope);
        const along = absolute.absoluteHeading ? h! - roadHeading(road, s) : h ?? 0;
        return { type: 'road', road, s: s + offset * Math.cos(along), t: this.num(p, 't', scope) + offset * Math.sin(along), heading: h, ...absolute };
      }
      case 'WorldPosition': {
        const h = this.num(p, 'h', scope, 0);
        return { type: 'world', x: this.num(p, 'x', scope) + offset * Math.cos(h), y: this.num(p, 'y', scope) + offset * Math.sin(h), z: p.attributes.z !== undefined ? this.num(p, 'z', scope) : undefined, heading: h };
      }
      case 'RelativeLanePosition':
        return { type: 'relativeLane', entity: this.str(p, 'entityRef', scope), dLane: Math.round(this.num(p, 'dLane', scope)), ds: this.num(p, 'ds', scope, 0), offset: this.num(p, 'offset', scope, 0) };
      case 'RelativeRoadPosition':
        return { type: 'relativeRoad', entity: this.str(p, 'entityRef', scope), ds: this.num(p, 'ds', scope), dt: this.num(p, 'dt', scope) };
      case 'RelativeWorldPosition':
        return { type: 'relativeWorld', entity: this.str(p, 'entityRef', scope), dx: this.num(p, 'dx', scope), dy: this.num(p, 'dy', scope) };
      default:
        return this.motionPosition(p, scope, entity) ?? this.fail(p, `<${p.name}> is not supported (supported positions: LanePosition, RoadPosition, WorldPosition, RelativeLanePosition, RelativeRoadPosition, RelativeWorldPosition, RelativeObjectPosition, RoutePosition)`);
    }
  }

  // ------------------------------------------------------------ storyboard

  private act(act: XmlElement, story: string, scope: Scope): ActSpec {
    const name = this.str(act, 'name', scope);
    const maneuvers: ActSpec['maneuvers'] = [];
    for (const mg of act.children) {
      if (mg.name === 'StartTrigger' || mg.name === 'StopTrigger') continue;
      if (mg.name !== 'ManeuverGroup') {
        this.unsupported(mg);
        continue;
      }
      const group = this.str(mg, 'name', scope);
      const max = this.num(mg, 'maximumExecutionCount', scope, 1);
      if (max !== 1) this.warn(mg, `maximumExecutionCount=${max} is run once`);
      const actorsEl = mg.children.find((c) => c.name === 'Actors');
      const actors = (actorsEl?.children ?? []).filter((c) => c.name === 'EntityRef').map((c) => this.str(c, 'entityRef', scope));
      if (actorsEl?.attributes.selectTriggeringEntities === 'true') this.warn(actorsEl, 'selectTriggeringEntities="true" is not supported; the listed actors are used');
      for (const child of mg.children) {
        if (child.name === 'Actors') continue;
        // A maneuver from a catalog comes with its declarations and the reference's assignments.
        const entry = child.name === 'CatalogReference' ? this.catalogEntry(child, scope) : undefined;
        const m = entry?.el ?? child;
        if (m.name !== 'Maneuver') {
          this.unsupported(m);
          continue;
        }
        const mScope = entry ? entry.scope : this.declare(m, scope);
        const events: EventSpec[] = [];
        for (const ev of m.children) {
          if (ev.name === 'ParameterDeclarations') continue;
          if (ev.name !== 'Event') {
            this.unsupported(ev);
            continue;
          }
          events.push(this.event(ev, actors, mScope));
        }
        maneuvers.push({ name: this.str(m, 'name', mScope), group, actors, events });
      }
    }
    const start = act.children.find((c) => c.name === 'StartTrigger');
    const stop = act.children.find((c) => c.name === 'StopTrigger');
    return { name, story, startTrigger: start ? this.trigger(start, scope) : undefined, stopTrigger: stop ? this.trigger(stop, scope) : undefined, maneuvers };
  }

  private event(ev: XmlElement, actors: string[], scope: Scope): EventSpec {
    const name = this.str(ev, 'name', scope);
    const priority = this.str(ev, 'priority', scope, 'overwrite');
    const actions: ActionWithName[] = [];
    for (const a of ev.children.filter((c) => c.name === 'Action')) {
      const actionName = this.str(a, 'name', scope, `${name}/action${actions.length + 1}`);
      for (const inner of a.children) {
        if (inner.name === 'PrivateAction') actions.push(...this.privateAction(inner, actors, scope, actionName));
        else if (inner.name === 'GlobalAction') actions.push(...this.globalAction(inner, scope, actionName));
        else this.unsupported(inner);
      }
    }
    const start = ev.children.find((c) => c.name === 'StartTrigger');
    return {
      name,
      priority: priority === 'parallel' ? 'parallel' : priority === 'skip' ? 'skip' : 'overwrite',
      maxCount: this.num(ev, 'maximumExecutionCount', scope, 1),
      startTrigger: start ? this.trigger(start, scope) : undefined,
      actions,
    };
  }

  private dynamics(el: XmlElement | undefined, scope: Scope): Dynamics {
    if (!el) return { shape: 'step', dimension: 'time', value: 0 };
    const shape = this.str(el, 'dynamicsShape', scope, 'step');
    if (!['step', 'linear', 'cubic', 'sinusoidal'].includes(shape)) this.warn(el, `dynamicsShape="${shape}" is not supported; linear is used`);
    const dimension = this.str(el, 'dynamicsDimension', scope, 'time');
    return { shape: (['step', 'linear', 'cubic', 'sinusoidal'].includes(shape) ? shape : 'linear') as DynamicsShape, dimension: dimension === 'distance' ? 'distance' : dimension === 'rate' ? 'rate' : 'time', value: this.num(el, 'value', scope, 0) };
  }

  private privateAction(pa: XmlElement, actors: string[], scope: Scope, name: string): ActionWithName[] {
    const inner = pa.children[0];
    if (!inner) return [];
    const out: ActionWithName[] = [];
    const each = (make: (actor: string) => ActionWithName | undefined): void => {
      for (const actor of actors) {
        const a = make(actor);
        if (a) out.push({ ...a, name } as ActionWithName);
      }
    };
    const kind = inner.children[0];
    let motion: ReturnType<typeof this.motionAction>;
    if (inner.name === 'TeleportAction') {
      each((actor) => ({ type: 'teleport', actor, position: this.position(this.child(inner, 'Position'), scope, actor) }));
    } else if (inner.name === 'LongitudinalAction' && kind?.name === 'SpeedAction') {
      const dyn = this.dynamics(kind.children.find((c) => c.name === 'SpeedActionDynamics'), scope);
      const target = this.child(kind, 'SpeedActionTarget').children[0];
      if (target?.name === 'AbsoluteTargetSpeed') {
        const v = this.num(target, 'value', scope);
        each((actor) => ({ type: 'speed', actor, target: v, dynamics: dyn }));
      } else if (target?.name === 'RelativeTargetSpeed') {
        const relativeTo = this.str(target, 'entityRef', scope);
        const valueType = this.str(target, 'speedTargetValueType', scope, 'delta') === 'factor' ? 'factor' : 'delta';
        const value = this.num(target, 'value', scope);
        const continuous = this.str(target, 'continuous', scope, 'false') === 'true';
        each((actor) => ({ type: 'speed', actor, target: { relativeTo, value, valueType, continuous }, dynamics: dyn }));
      } else this.unsupported(target ?? kind);
    } else if (inner.name === 'LateralAction' && kind?.name === 'LaneChangeAction') {
      const dyn = this.dynamics(kind.children.find((c) => c.name === 'LaneChangeActionDynamics'), scope);
      const target = this.child(kind, 'LaneChangeTarget').children[0];
      const targetOffset = this.num(kind, 'targetLaneOffset', scope, 0);
      if (target?.name === 'RelativeTargetLane') {
        const relativeTo = this.str(target, 'entityRef', scope);
        const value = Math.round(this.num(target, 'value', scope));
        each((actor) => ({ type: 'laneChange', actor, target: { relativeTo, value }, dynamics: dyn, targetOffset }));
      } else if (target?.name === 'AbsoluteTargetLane') {
        const lane = Math.round(this.num(target, 'value', scope));
        each((actor) => ({ type: 'laneChange', actor, target: { lane }, dynamics: dyn, targetOffset }));
      } else this.unsupported(target ?? kind);
    } else if (inner.name === 'LateralAction' && kind?.name === 'LaneOffsetAction') {
      const dynEl = kind.children.find((c) => c.name === 'LaneOffsetActionDynamics');
      const target = this.child(kind, 'LaneOffsetTarget').children[0];
      if (target?.name !== 'AbsoluteTargetLaneOffset') {
        this.unsupported(target ?? kind);
      } else {
        const offset = this.num(target, 'value', scope);
        const shape = (dynEl ? this.str(dynEl, 'dynamicsShape', scope, 'sinusoidal') : 'sinusoidal') as DynamicsShape;
        const maxLateralAccel = dynEl ? this.num(dynEl, 'maxLateralAcc', scope, 1) : 1;
        if (this.str(kind, 'continuous', scope, 'false') === 'true') this.warn(kind, 'continuous="true" ends when the offset is reached');
        each((actor) => ({ type: 'laneOffset', actor, offset, dynamics: { shape, dimension: 'time', value: 1 }, maxLateralAccel }));
      }
    } else if (inner.name === 'RoutingAction' && kind?.name === 'FollowTrajectoryAction') {
      out.push(...this.followTrajectory(kind, actors, scope, name));
    } else if (inner.name === 'LongitudinalAction' && kind?.name === 'SpeedProfileAction') {
      out.push(...this.speedProfile(kind, actors, scope, name));
    } else if (inner.name === 'ControllerAction' || inner.name === 'ActivateControllerAction') {
      out.push(...this.controllerAction(inner, actors, scope, name));
    } else if (inner.name === 'RoutingAction' && kind?.name === 'AssignRouteAction') {
      const waypoints = this.route(kind, scope);
      each((actor) => ({ type: 'controller', actor, controller: { type: 'route', waypoints } }));
    } else if ((motion = this.motionAction(inner, '', scope))) {
      const m = motion;
      each((actor) => ({ ...m, actor }));
    } else {
      this.unsupported(kind && (inner.name === 'LongitudinalAction' || inner.name === 'LateralAction' || inner.name === 'RoutingAction' || inner.name === 'ControllerAction') ? kind : inner);
    }
    this.actionCount += out.length;
    return out;
  }

  /** A Route, inline or from a catalog (the element holding <Route> or <CatalogReference>): its lane waypoints. */
  protected route(holder: XmlElement, scope: Scope): { road: string; lane: number; s: number }[] {
    let route = holder.children.find((c) => c.name === 'Route');
    let routeScope = scope;
    const ref = holder.children.find((c) => c.name === 'CatalogReference');
    if (!route && ref) {
      const entry = this.catalogEntry(ref, scope);
      route = entry.el;
      routeScope = entry.scope;
    }
    if (!route) this.fail(holder, `<${holder.name}> needs a <Route> or <CatalogReference>`);
    const waypoints: { road: string; lane: number; s: number }[] = [];
    for (const wp of route.children.filter((c) => c.name === 'Waypoint')) {
      const lp = this.child(this.child(wp, 'Position'), 'LanePosition');
      waypoints.push({ road: this.str(lp, 'roadId', routeScope), lane: Math.round(this.num(lp, 'laneId', routeScope)), s: this.num(lp, 's', routeScope) });
    }
    if (waypoints.length === 0) this.fail(route, 'the route has no waypoints with a LanePosition');
    return waypoints;
  }

  /**
   * The weather of an EnvironmentAction (an inline Environment; a CatalogReference is named
   * unsupported): Fog visualRange (m) is the visibility, Precipitation intensity (mm/h) of type
   * rain or snow the rate, Sun azimuth and elevation (radians in OpenSCENARIO) in degrees.
   * In Init it is the initial weather; in a Story, a `weather` action.
   */
  private environment(action: XmlElement, scope: Scope): Weather | undefined {
    const env = action.children.find((c) => c.name === 'Environment');
    if (!env) {
      this.unsupported(action.children[0] ?? action);
      return undefined;
    }
    const weatherEl = env.children.find((c) => c.name === 'Weather');
    const weather: Weather = {};
    for (const c of env.children) if (!['Weather', 'TimeOfDay', 'RoadCondition', 'ParameterDeclarations'].includes(c.name)) this.unsupported(c);
    for (const c of weatherEl?.children ?? []) {
      if (c.name === 'Fog') {
        const range = this.num(c, 'visualRange', scope);
        if (!(range > 0)) this.fail(c, `Fog visualRange must be > 0 (m), got ${range}`);
        weather.fog = { visibility: range };
      } else if (c.name === 'Precipitation') {
        const type = this.str(c, 'precipitationType', scope);
        // OpenSCENARIO 1.0 named the rate "intensity"; 1.1+ "precipitationIntensity".
        const rate = c.attributes.precipitationIntensity !== undefined ? this.num(c, 'precipitationIntensity', scope) : this.num(c, 'intensity', scope, 0);
        if (!(rate >= 0)) this.fail(c, `Precipitation intensity must be >= 0 (mm/h), got ${rate}`);
        if (type === 'rain') weather.rain = { rate };
        else if (type === 'snow') weather.snow = { rate };
        else if (type !== 'dry') this.fail(c, `precipitationType must be dry, rain or snow, got "${type}"`);
      } else if (c.name === 'Sun') {
        const deg = 180 / Math.PI;
        weather.sun = { azimuth: this.num(c, 'azimuth', scope) * deg, elevation: this.num(c, 'elevation', scope) * deg };
      } else this.unsupported(c);
    }
    const road = env.children.find((c) => c.name === 'RoadCondition');
    // frictionScaleFactor is read by no one here; a wetness property is the only part kept.
    const wet = road?.children.find((c) => c.name === 'Properties')?.children.find((c) => c.name === 'Property' && c.attributes.name === 'wetness');
    if (wet) weather.wetRoad = Math.min(1, Math.max(0, this.num(wet, 'value', scope)));
    return weather;
  }

  private globalAction(ga: XmlElement, scope: Scope, name: string): ActionWithName[] {
    const inner = ga.children[0];
    if (inner?.name === 'EnvironmentAction') return [{ name, type: 'weather', weather: this.environment(inner, scope) ?? {} }];
    if (inner?.name === 'ParameterAction' || inner?.name === 'VariableAction') return this.values.action(inner, scope, name);
    if (inner?.name === 'InfrastructureAction') return this.signalReader.action(inner, scope, name);
    if (inner?.name === 'EntityAction') {
      const actor = this.str(inner, 'entityRef', scope);
      const kind = inner.children[0];
      if (kind?.name === 'AddEntityAction') return [{ name, type: 'spawn', actor, position: this.position(this.child(kind, 'Position'), scope, actor) }];
      if (kind?.name === 'DeleteEntityAction') return [{ name, type: 'remove', actor }];
    }
    this.unsupported(inner ?? ga);
    return [];
  }
}
