import { readFileSync } from 'node:fs';
import { UserError } from '../core/errors.js';
import { CubicProfile, type CubicRecord } from './CubicProfile.js';
import { ArcGeometry, LineGeometry, ReferenceLine, type PlanGeometry } from './ReferenceLine.js';
import { Road, type Lane, type LaneSection, type RoadMark } from './Road.js';
import { RoadNetwork } from './RoadNetwork.js';
import { parseXml, XmlReader, type XmlElement } from './xml.js';

/**
 * Reads an ASAM OpenDRIVE file into a RoadNetwork. Geometry this reader cannot evaluate
 * exactly is an error naming the element and line, never an approximation.
 */
export function readOpenDrive(file: string): RoadNetwork {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UserError(`cannot read the map: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`, file);
  }
  return parseOpenDrive(source, file);
}

export function parseOpenDrive(source: string, file = '<memory>'): RoadNetwork {
  const root = parseXml(source, file);
  const xml = new XmlReader(file);
  if (root.name !== 'OpenDRIVE') xml.fail(root, `expected the root element <OpenDRIVE>, found <${root.name}>`);
  const warnings: string[] = [];
  const roads = xml.children(root, 'road').map((element) => readRoad(xml, element, warnings));
  if (roads.length === 0) xml.fail(root, 'the map has no <road>');
  const header = xml.optionalChild(root, 'header');
  const name = header ? xml.optionalString(header, 'name') ?? '' : '';
  return new RoadNetwork(name, roads, warnings);
}

function readRoad(xml: XmlReader, element: XmlElement, warnings: string[]): Road {
  const id = xml.string(element, 'id');
  const length = xml.number(element, 'length');
  if (!(length > 0)) xml.fail(element, `road ${id}: length must be positive, got ${length}`);
  const planView = xml.child(element, 'planView');
  const geometries = xml.children(planView, 'geometry').map((g) => readGeometry(xml, g));
  if (geometries.length === 0) xml.fail(planView, `road ${id}: <planView> has no <geometry>`);

  const elevationProfile = xml.optionalChild(element, 'elevationProfile');
  const elevation = new CubicProfile(elevationProfile ? xml.children(elevationProfile, 'elevation').map((e) => readCubic(xml, e, 's')) : []);
  const lateral = xml.optionalChild(element, 'lateralProfile');
  if (lateral && lateral.children.length > 0) {
    warnings.push(`${xml.where(lateral)}: road ${id}: <lateralProfile> (superelevation, shape) is not supported yet and is ignored`);
  }

  const lanes = xml.child(element, 'lanes');
  const laneOffset = new CubicProfile(xml.children(lanes, 'laneOffset').map((e) => readCubic(xml, e, 's')));
  const sectionElements = xml.children(lanes, 'laneSection');
  if (sectionElements.length === 0) xml.fail(lanes, `road ${id}: <lanes> has no <laneSection>`);
  const starts = sectionElements.map((e) => xml.number(e, 's'));
  const sections = sectionElements.map((e, i) => readSection(xml, e, starts[i], starts[i + 1] ?? length));
  return new Road(id, xml.optionalString(element, 'name') ?? '', length, xml.optionalString(element, 'junction') ?? '-1',
    new ReferenceLine(geometries), elevation, laneOffset, sections);
}

function readGeometry(xml: XmlReader, element: XmlElement): PlanGeometry {
  const s = xml.number(element, 's');
  const x = xml.number(element, 'x');
  const y = xml.number(element, 'y');
  const hdg = xml.number(element, 'hdg');
  const length = xml.number(element, 'length');
  if (!(length >= 0)) xml.fail(element, `<geometry> length must not be negative, got ${length}`);
  const shape = element.children[0];
  if (!shape) xml.fail(element, '<geometry> needs a shape element: <line>, <arc>, <spiral>, <poly3> or <paramPoly3>');
  switch (shape.name) {
    case 'line':
      return new LineGeometry(s, x, y, hdg, length);
    case 'arc':
      return new ArcGeometry(s, x, y, hdg, length, xml.number(shape, 'curvature'));
    default:
      return xml.fail(shape, `<${shape.name}> geometry is not supported yet (supported: <line>, <arc>)`);
  }
}

function readCubic(xml: XmlReader, element: XmlElement, startAttribute: string): CubicRecord {
  return {
    start: xml.number(element, startAttribute),
    a: xml.number(element, 'a', 0),
    b: xml.number(element, 'b', 0),
    c: xml.number(element, 'c', 0),
    d: xml.number(element, 'd', 0),
  };
}

function readSection(xml: XmlReader, element: XmlElement, s: number, end: number): LaneSection {
  const side = (name: string): Lane[] => {
    const container = xml.optionalChild(element, name);
    return container ? xml.children(container, 'lane').map((lane) => readLane(xml, lane)) : [];
  };
  const left = side('left').sort((a, b) => a.id - b.id);
  const right = side('right').sort((a, b) => b.id - a.id);
  const centerLanes = side('center');
  if (centerLanes.length !== 1) xml.fail(element, `<laneSection> needs exactly one centre lane, found ${centerLanes.length}`);
  for (const lane of left) if (lane.id <= 0) xml.fail(element, `left lane ids must be positive, found ${lane.id}`);
  for (const lane of right) if (lane.id >= 0) xml.fail(element, `right lane ids must be negative, found ${lane.id}`);
  return { s, end, left, right, center: centerLanes[0] };
}

function readLane(xml: XmlReader, element: XmlElement): Lane {
  const id = xml.number(element, 'id');
  if (!Number.isInteger(id)) xml.fail(element, `lane id must be an integer, got ${id}`);
  if (id !== 0 && xml.children(element, 'width').length === 0 && xml.children(element, 'border').length > 0) {
    xml.fail(element, `lane ${id}: <border> lane geometry is not supported yet (give <width>)`);
  }
  const roadMarks: RoadMark[] = xml.children(element, 'roadMark').map((m) => ({
    sOffset: xml.number(m, 'sOffset', 0),
    type: xml.optionalString(m, 'type') ?? 'none',
    color: xml.optionalString(m, 'color') ?? 'standard',
    width: xml.number(m, 'width', 0.12),
  }));
  return {
    id,
    type: xml.optionalString(element, 'type') ?? 'none',
    width: new CubicProfile(xml.children(element, 'width').map((w) => readCubic(xml, w, 'sOffset'))),
    roadMarks,
  };
}
