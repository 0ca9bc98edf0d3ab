import { FILE_LIMITS, readUserText } from '../core/UserFile.js';
import { CubicProfile } from './CubicProfile.js';
import type { Junction, JunctionConnection } from './Junction.js';
import { readCubic, readLaneSections } from './LaneReader.js';
import { checkGeometryNumbers, checkGeometryPoints, checkRoadLength, checkRoadRanges, LaneLengthBudget, MAP_LIMITS } from './MapLimits.js';
import { MapWarnings } from './MapWarnings.js';
import { ParamPoly3Geometry } from './ParamPoly3.js';
import { ArcGeometry, LineGeometry, ReferenceLine, type PlanGeometry } from './ReferenceLine.js';
import { Road, type ContactPoint, type Crosswalk, type RoadLink } from './Road.js';
import { RoadNetwork } from './RoadNetwork.js';
import { readControllers, readSignals } from './SignalReader.js';
import { SpiralGeometry } from './Spiral.js';
import { parseXml, XmlReader, type XmlElement } from './xml.js';

/**
 * Reads an ASAM OpenDRIVE (1.4 to 1.8) file into a RoadNetwork. Geometry this reader cannot
 * evaluate exactly is an error naming the element and line, never an approximation; parts
 * that do not change the road surface and are not modelled (most objects, lateral shapes)
 * become warnings naming the element and line. Signals and their controllers are read
 * (SignalReader.ts).
 */
export function readOpenDrive(file: string): RoadNetwork {
  return parseOpenDrive(readUserText(file, MAP_FILE), file);
}

/** How maps are read: regular files of at most FILE_LIMITS.map bytes. */
export const MAP_FILE = { what: 'map', maxBytes: FILE_LIMITS.map, notFound: 'cannot read the map: no such file' };

/** Children that carry no road geometry or topology: read past without a warning. */
const METADATA = new Set(['userData', 'include', 'dataQuality', 'type', 'geoReference', 'offset', 'controller', 'priority']);
/** How far consecutive planView geometries may miss each other before a warning (m). */
const GEOMETRY_GAP = 0.01;

export function parseOpenDrive(source: string, file = '<memory>'): RoadNetwork {
  const root = parseXml(source, file);
  const xml = new XmlReader(file);
  if (root.name !== 'OpenDRIVE') xml.fail(root, `expected the root element <OpenDRIVE>, found <${root.name}>`);
  const warnings = new MapWarnings(xml);
  const roadElements = xml.children(root, 'road');
  if (roadElements.length === 0) xml.fail(root, 'the map has no <road>');
  // Each road is checked against MapLimits as it is read, and the map's size as it grows.
  const budget = new LaneLengthBudget();
  const roads = roadElements.map((element) => {
    const road = readRoad(xml, element, warnings);
    budget.add(xml, element, road);
    return road;
  });
  const seen = new Map<string, number>();
  roadElements.forEach((element, i) => {
    const first = seen.get(roads[i].id);
    if (first !== undefined) xml.fail(element, `road id "${roads[i].id}" is used twice (first at line ${first})`);
    seen.set(roads[i].id, element.line);
  });
  const junctions = xml.children(root, 'junction').map((element) => readJunction(xml, element, warnings));
  for (const child of root.children) {
    if (['header', 'road', 'junction'].includes(child.name) || METADATA.has(child.name)) continue;
    warnings.unsupported(child, '');
  }
  const header = xml.optionalChild(root, 'header');
  const name = header ? xml.optionalString(header, 'name') ?? '' : '';
  const controllers = readControllers(xml, root);
  return new RoadNetwork(name, roads, warnings.list(), junctions, file, controllers);
}

function readRoad(xml: XmlReader, element: XmlElement, warnings: MapWarnings): Road {
  const id = xml.string(element, 'id');
  const scope = `road ${id}: `;
  const length = xml.number(element, 'length');
  checkRoadLength(xml, element, id, length);
  const planView = xml.child(element, 'planView');
  const geometries = xml.children(planView, 'geometry').map((g) => readGeometry(xml, g, id, warnings));
  if (geometries.length === 0) xml.fail(planView, `road ${id}: <planView> has no <geometry>`);
  checkPlanView(xml, planView, geometries, id, length, warnings);

  const elevationProfile = xml.optionalChild(element, 'elevationProfile');
  const elevation = new CubicProfile(elevationProfile ? xml.children(elevationProfile, 'elevation').map((e) => readCubic(xml, e, 's')) : []);
  const lateral = xml.optionalChild(element, 'lateralProfile');
  const superelevation = new CubicProfile(lateral ? xml.children(lateral, 'superelevation').map((e) => readCubic(xml, e, 's')) : []);
  for (const child of lateral?.children ?? []) {
    if (child.name === 'superelevation' || METADATA.has(child.name)) continue;
    // shape (1.5+) and crossfall (1.4) bend the cross-section off a straight line; the mesh keeps it straight.
    warnings.unsupported(child, scope, 'is not modelled: the cross-section stays straight (superelevation only)');
  }

  const lanes = xml.child(element, 'lanes');
  const laneOffset = new CubicProfile(xml.children(lanes, 'laneOffset').map((e) => readCubic(xml, e, 's')));
  const sections = readLaneSections(xml, lanes, id, length, warnings);
  const link = xml.optionalChild(element, 'link');
  const rule = xml.optionalString(element, 'rule');
  if (rule !== undefined && rule !== 'RHT' && rule !== 'LHT') xml.fail(element, `road ${id}: rule must be "RHT" or "LHT", got "${rule}"`);
  const road = new Road(id, xml.optionalString(element, 'name') ?? '', length, xml.optionalString(element, 'junction') ?? '-1',
    new ReferenceLine(geometries), elevation, laneOffset, sections, {
      superelevation,
      predecessor: link ? readRoadLink(xml, link, 'predecessor') : undefined,
      successor: link ? readRoadLink(xml, link, 'successor') : undefined,
      rule,
      line: element.line,
    });
  checkRoadRanges(xml, element, road);

  const objects = xml.optionalChild(element, 'objects');
  if (objects) readObjects(xml, objects, road, warnings);
  const signals = xml.optionalChild(element, 'signals');
  if (signals) readSignals(xml, signals, road, warnings);
  const surface = xml.optionalChild(element, 'surface');
  if (surface && surface.children.some((c) => c.name === 'CRG')) warnings.unsupported(surface, scope, '(OpenCRG road surface) is not modelled');
  for (const child of element.children) {
    if (['link', 'planView', 'elevationProfile', 'lateralProfile', 'lanes', 'objects', 'signals', 'surface'].includes(child.name)) continue;
    if (METADATA.has(child.name)) continue;
    warnings.unsupported(child, scope);
  }
  return road;
}

function readRoadLink(xml: XmlReader, link: XmlElement, name: 'predecessor' | 'successor'): RoadLink | undefined {
  const element = xml.optionalChild(link, name);
  if (!element) return undefined;
  const elementType = xml.string(element, 'elementType');
  if (elementType !== 'road' && elementType !== 'junction') xml.fail(element, `<${name}> elementType must be "road" or "junction", got "${elementType}"`);
  const contactPoint = xml.optionalString(element, 'contactPoint');
  if (contactPoint !== undefined && contactPoint !== 'start' && contactPoint !== 'end') {
    xml.fail(element, `<${name}> contactPoint must be "start" or "end", got "${contactPoint}"`);
  }
  return { elementType, elementId: xml.string(element, 'elementId'), contactPoint: contactPoint as ContactPoint | undefined, line: element.line };
}

function readGeometry(xml: XmlReader, element: XmlElement, roadId: string, warnings: MapWarnings): PlanGeometry {
  const s = xml.number(element, 's');
  const x = xml.number(element, 'x');
  const y = xml.number(element, 'y');
  const hdg = xml.number(element, 'hdg');
  const length = xml.number(element, 'length');
  if (!(length >= 0)) xml.fail(element, `<geometry> length must not be negative, got ${length}`);
  if (s < 0) xml.fail(element, `<geometry> s must not be negative, got ${s}`);
  const shapes = element.children.filter((c) => !METADATA.has(c.name));
  const shape = shapes[0];
  if (!shape) xml.fail(element, '<geometry> needs a shape element: <line>, <arc>, <spiral>, <poly3> or <paramPoly3>');
  if (shapes.length > 1) xml.fail(shapes[1], `<geometry> has more than one shape (<${shape.name}> and <${shapes[1].name}>)`);
  const curvatures = shape.name === 'arc' ? [xml.number(shape, 'curvature')] : shape.name === 'spiral' ? [xml.number(shape, 'curvStart'), xml.number(shape, 'curvEnd')] : [];
  checkGeometryNumbers(xml, element, roadId, { s, x, y, length, curvatures });
  const geometry = buildGeometry(xml, shape, roadId, { s, x, y, hdg, length }, warnings);
  checkGeometryPoints(xml, element, roadId, geometry);
  return geometry;
}

function buildGeometry(xml: XmlReader, shape: XmlElement, roadId: string, at: { s: number; x: number; y: number; hdg: number; length: number }, warnings: MapWarnings): PlanGeometry {
  const { s, x, y, hdg, length } = at;
  switch (shape.name) {
    case 'line':
      return new LineGeometry(s, x, y, hdg, length);
    case 'arc':
      return new ArcGeometry(s, x, y, hdg, length, xml.number(shape, 'curvature'));
    case 'spiral':
      return new SpiralGeometry(s, x, y, hdg, length, xml.number(shape, 'curvStart'), xml.number(shape, 'curvEnd'));
    case 'poly3':
      return ParamPoly3Geometry.poly3(s, x, y, hdg, length, xml.number(shape, 'a'), xml.number(shape, 'b'), xml.number(shape, 'c'), xml.number(shape, 'd'));
    case 'paramPoly3': {
      const n = (name: string): number => xml.number(shape, name);
      const range = xml.optionalString(shape, 'pRange') ?? 'normalized';
      if (range !== 'normalized' && range !== 'arcLength') xml.fail(shape, `<paramPoly3> pRange must be "arcLength" or "normalized", got "${range}"`);
      const poly = { aU: n('aU'), bU: n('bU'), cU: n('cU'), dU: n('dU'), aV: n('aV'), bV: n('bV'), cV: n('cV'), dV: n('dV') };
      const g = new ParamPoly3Geometry(s, x, y, hdg, length, poly, range === 'normalized' ? 1 : length);
      // The file's length is what s runs over; a curve of another length would be cut short or stop early.
      if (Math.abs(g.curveLength - length) > 1e-3 * Math.max(1, length)) {
        warnings.add(shape, `road ${roadId}: <paramPoly3> curve is ${g.curveLength.toFixed(4)} m long but the geometry says ${length} m; points past the curve's end stay at its end`);
      }
      return g;
    }
    default:
      return xml.fail(shape, `<${shape.name}> geometry is not supported (supported: <line>, <arc>, <spiral>, <poly3>, <paramPoly3>)`);
  }
}

/** Gaps and kinks between consecutive geometries, and a length that disagrees with them. */
function checkPlanView(xml: XmlReader, planView: XmlElement, geometries: PlanGeometry[], roadId: string, length: number, warnings: MapWarnings): void {
  const elements = xml.children(planView, 'geometry');
  for (let i = 1; i < geometries.length; i++) {
    const a = geometries[i - 1];
    const b = geometries[i];
    if (b.s < a.s) xml.fail(elements[i], `road ${roadId}: <geometry> s=${b.s} comes before the previous geometry's s=${a.s}`);
    const end = a.evaluate(a.length);
    const start = b.evaluate(0);
    const gap = Math.hypot(end.x - start.x, end.y - start.y);
    if (gap > GEOMETRY_GAP) warnings.add(elements[i], `road ${roadId}: <geometry> starts ${gap.toFixed(3)} m from where the previous one ends`, `${roadId}|gap`);
  }
  const last = geometries[geometries.length - 1];
  if (Math.abs(last.s + last.length - length) > 1e-3 * Math.max(1, length)) {
    warnings.add(planView, `road ${roadId}: the geometries end at s=${last.s + last.length} but the road's length is ${length}`);
  }
}

function readJunction(xml: XmlReader, element: XmlElement, warnings: MapWarnings): Junction {
  const id = xml.string(element, 'id');
  const connections: JunctionConnection[] = xml.children(element, 'connection').map((c) => {
    const connectingRoad = xml.optionalString(c, 'connectingRoad') ?? xml.optionalString(c, 'linkedRoad');
    if (connectingRoad === undefined) xml.fail(c, '<connection> needs the attribute "connectingRoad" (or "linkedRoad" in a direct junction)');
    const contactPoint = xml.optionalString(c, 'contactPoint') ?? 'start';
    if (contactPoint !== 'start' && contactPoint !== 'end') xml.fail(c, `<connection> contactPoint must be "start" or "end", got "${contactPoint}"`);
    return {
      id: xml.optionalString(c, 'id') ?? '',
      incomingRoad: xml.string(c, 'incomingRoad'),
      connectingRoad,
      contactPoint,
      laneLinks: xml.children(c, 'laneLink').map((l) => ({ from: xml.number(l, 'from'), to: xml.number(l, 'to') })),
      line: c.line,
    };
  });
  const controllers = xml.children(element, 'controller').map((c) => {
    const sequence = xml.optionalString(c, 'sequence');
    return { id: xml.string(c, 'id'), type: xml.optionalString(c, 'type') ?? '', ...(sequence !== undefined ? { sequence: xml.number(c, 'sequence') } : {}) };
  });
  for (const child of element.children) {
    if (child.name === 'connection' || METADATA.has(child.name)) continue;
    warnings.unsupported(child, `junction ${id}: `);
  }
  return {
    id, name: xml.optionalString(element, 'name') ?? '', type: xml.optionalString(element, 'type') ?? 'default', connections,
    ...(controllers.length > 0 ? { controllers } : {}), line: element.line,
  };
}

/** Crosswalks become outlines in the world; other objects are not modelled and are counted in one warning per road. */
function readObjects(xml: XmlReader, objects: XmlElement, road: Road, warnings: MapWarnings): void {
  const scope = `road ${road.id}: `;
  for (const object of objects.children) {
    if (METADATA.has(object.name)) continue;
    if (object.name !== 'object') {
      warnings.unsupported(object, scope, 'is not modelled');
      continue;
    }
    const type = xml.optionalString(object, 'type') ?? 'none';
    if (type !== 'crosswalk') {
      warnings.add(object, `${scope}<object type="${type}"> is not modelled (only crosswalks are)`, `${road.id}|object`);
      continue;
    }
    const crosswalk = readCrosswalk(xml, object, road);
    if (crosswalk) road.crosswalks.push(crosswalk);
    else warnings.add(object, `${scope}crosswalk has no <outline> with at least 3 corners; it is not drawn`);
  }
}

function readCrosswalk(xml: XmlReader, object: XmlElement, road: Road): Crosswalk | undefined {
  const outlines = xml.optionalChild(object, 'outlines');
  const outline = outlines ? xml.optionalChild(outlines, 'outline') : xml.optionalChild(object, 'outline');
  if (!outline) return undefined;
  const s = xml.number(object, 's');
  const t = xml.number(object, 't');
  const zOffset = xml.number(object, 'zOffset', 0);
  const hdg = xml.number(object, 'hdg', 0);
  const origin = road.pose(Math.min(Math.max(s, 0), road.length), t);
  const corners = outline.children.flatMap((corner) => {
    if (corner.name === 'cornerRoad') {
      const cs = xml.number(corner, 's');
      if (cs < -1e-6 || cs > road.length + 1e-6) xml.fail(corner, `<cornerRoad> s=${cs} lies outside road ${road.id} (length ${road.length} m)`);
      const p = road.pose(Math.min(Math.max(cs, 0), road.length), xml.number(corner, 't'));
      return [{ x: p.x, y: p.y, z: p.z + xml.number(corner, 'dz', 0) }];
    }
    if (corner.name === 'cornerLocal') {
      // u along the object's heading (road heading + hdg), v to its left, z up from the object.
      const u = xml.number(corner, 'u');
      const v = xml.number(corner, 'v');
      const yaw = origin.heading + hdg;
      return [{
        x: origin.x + u * Math.cos(yaw) - v * Math.sin(yaw),
        y: origin.y + u * Math.sin(yaw) + v * Math.cos(yaw),
        z: origin.z + zOffset + xml.number(corner, 'z', 0),
      }];
    }
    return [];
  });
  if (corners.length < 3) return undefined;
  for (const c of corners) {
    if (!(Math.max(Math.abs(c.x), Math.abs(c.y), Math.abs(c.z)) <= MAP_LIMITS.coordinate)) {
      xml.fail(object, `road ${road.id}: crosswalk corner (${c.x}, ${c.y}, ${c.z}) is farther than ${MAP_LIMITS.coordinate} m from the origin`);
    }
  }
  return { id: xml.optionalString(object, 'id') ?? '', line: object.line, corners };
}
