import type { MapWarnings } from './MapWarnings.js';
import type { Road } from './Road.js';
import { signalKind, type LaneValidity, type SignalController, type SignalOrientation } from './Signal.js';
import type { XmlElement, XmlReader } from './xml.js';

/** Children of <signal> and <signalReference> read past silently (no geometry or rule we model). */
const SIGNAL_METADATA = new Set(['userData', 'include', 'dataQuality', 'positionInertial', 'positionRoad', 'reference']);

/**
 * Reads a road's <signals> into road.signals and road.signalReferences. A signal whose country,
 * type and subtype we do not know stays as a generic sign, with one warning per road and code
 * naming the first line.
 */
export function readSignals(xml: XmlReader, signals: XmlElement, road: Road, warnings: MapWarnings): void {
  const scope = `road ${road.id}: `;
  for (const element of signals.children) {
    if (element.name === 'signal') road.signals.push(readSignal(xml, element, road, warnings, scope));
    else if (element.name === 'signalReference') {
      road.signalReferences.push({
        signalId: xml.string(element, 'id'),
        roadId: road.id,
        s: position(xml, element, 's', road),
        t: xml.number(element, 't'),
        orientation: orientation(xml, element),
        validity: validities(xml, element),
        line: element.line,
      });
    } else if (!SIGNAL_METADATA.has(element.name)) warnings.unsupported(element, scope);
  }
}

function readSignal(xml: XmlReader, element: XmlElement, road: Road, warnings: MapWarnings, scope: string) {
  const country = xml.optionalString(element, 'country') ?? '';
  const type = xml.optionalString(element, 'type') ?? '';
  const subtype = xml.optionalString(element, 'subtype') ?? '-1';
  const known = signalKind(country, type, subtype);
  if (!known) {
    warnings.add(element, `${scope}<signal> of country "${country}", type "${type}", subtype "${subtype}" is not a kind roadcast knows: kept as a generic sign`, `signal|${country}|${type}|${subtype}`);
  }
  const value = xml.optionalString(element, 'value');
  const unit = xml.optionalString(element, 'unit');
  const dynamic = xml.optionalString(element, 'dynamic') ?? 'no';
  if (dynamic !== 'yes' && dynamic !== 'no') xml.fail(element, `${scope}<signal> dynamic must be "yes" or "no", got "${dynamic}"`);
  for (const child of element.children) {
    if (child.name !== 'validity' && !SIGNAL_METADATA.has(child.name)) warnings.unsupported(child, scope);
  }
  return {
    id: xml.string(element, 'id'),
    roadId: road.id,
    name: xml.optionalString(element, 'name') ?? '',
    kind: known?.kind ?? 'sign',
    country,
    type,
    subtype,
    ...(value !== undefined && value.trim() !== '' ? { value: xml.number(element, 'value') } : {}),
    ...(unit !== undefined ? { unit } : {}),
    lamps: known?.lamps ?? [],
    ...(known?.turns ? { turns: known.turns } : {}),
    s: position(xml, element, 's', road),
    t: xml.number(element, 't'),
    zOffset: xml.number(element, 'zOffset', 0),
    height: nonNegative(xml, element, 'height'),
    width: nonNegative(xml, element, 'width'),
    orientation: orientation(xml, element),
    hOffset: xml.number(element, 'hOffset', 0),
    pitch: xml.number(element, 'pitch', 0),
    roll: xml.number(element, 'roll', 0),
    dynamic: dynamic === 'yes',
    validity: validities(xml, element),
    line: element.line,
  };
}

/** s along the road, within its length (a millimetre of slack for rounding in the file). */
function position(xml: XmlReader, element: XmlElement, name: string, road: Road): number {
  const s = xml.number(element, name);
  if (!(s >= -1e-3 && s <= road.length + 1e-3)) xml.fail(element, `road ${road.id}: <${element.name}> ${name}=${s} is outside the road (length ${road.length} m)`);
  return Math.min(Math.max(s, 0), road.length);
}

function nonNegative(xml: XmlReader, element: XmlElement, name: string): number {
  const v = xml.number(element, name, 0);
  if (!(v >= 0)) xml.fail(element, `<${element.name}> ${name} must not be negative, got ${v}`);
  return v;
}

function orientation(xml: XmlReader, element: XmlElement): SignalOrientation {
  const o = xml.optionalString(element, 'orientation') ?? 'none';
  if (o !== '+' && o !== '-' && o !== 'none') xml.fail(element, `<${element.name}> orientation must be "+", "-" or "none", got "${o}"`);
  return o;
}

function validities(xml: XmlReader, element: XmlElement): LaneValidity[] {
  return xml.children(element, 'validity').map((v) => ({ fromLane: xml.number(v, 'fromLane'), toLane: xml.number(v, 'toLane') }));
}

/** The file's <controller>s: which signals switch together. */
export function readControllers(xml: XmlReader, root: XmlElement): SignalController[] {
  return xml.children(root, 'controller').map((element) => {
    const sequence = xml.optionalString(element, 'sequence');
    return {
      id: xml.string(element, 'id'),
      name: xml.optionalString(element, 'name') ?? '',
      ...(sequence !== undefined ? { sequence: xml.number(element, 'sequence') } : {}),
      controls: xml.children(element, 'control').map((c) => ({ signalId: xml.string(c, 'signalId'), type: xml.optionalString(c, 'type') ?? '' })),
      line: element.line,
    };
  });
}
