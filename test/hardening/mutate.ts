/**
 * Seeded mutations of real maps and scenarios for the fuzz test, as a careless user or an
 * attacker would make them: absurd or malformed numbers, lines deleted, repeated thousands
 * of times, swapped or cut short, stray characters, and for YAML aliases and nesting.
 * Everything is drawn from a `Random`, so a case is the same on every run.
 */
import type { Random } from '../../src/core/Random.js';

/** Numbers that have broken parsers, meshes and indexes: huge, tiny, not finite, not numbers. */
const EXTREME_NUMBERS = [
  '0', '-0', '-1', '1e-300', '1e-9', '0.0000001', '1e6', '-1e6', '1e15', '1e308', '-1e308', '1.7976931348623157e308',
  'NaN', 'Infinity', '-Infinity', '', ' ', 'x', '1,5', '0x10', '5e5', '5e6', '123456789012345678901234567890', '99999', '100001',
];

const YAML_VALUES = [
  ...EXTREME_NUMBERS, '~', 'null', '[]', '{}', '*nope', '&a [*a]', '!!binary AAAA', '"\\u0000"', "'", '"', '[[[[[[[[', '{a: {b: {c:',
  'true', 'x'.repeat(10_000), '-1e308', '.inf', '.nan', '0o777', '2001-12-14t21:59:43.10-05:00',
];

const pick = <T>(random: Random, items: readonly T[]): T => items[random.int(0, items.length - 1)];

function lines(text: string): string[] {
  return text.split('\n');
}

/** Line-level damage shared by both formats. */
function mutateLines(random: Random, text: string): string {
  const all = lines(text);
  const i = random.int(0, all.length - 1);
  switch (random.int(0, 4)) {
    case 0: // delete a line
      all.splice(i, 1);
      break;
    case 1: // repeat a line, up to thousands of times (lanes, roads, geometries, actors)
      all.splice(i, 0, ...Array.from({ length: pick(random, [2, 10, 100, 3000]) }, () => all[i]));
      break;
    case 2: { // swap two lines
      const j = random.int(0, all.length - 1);
      [all[i], all[j]] = [all[j], all[i]];
      break;
    }
    case 3: // cut the file short
      return text.slice(0, random.int(0, text.length));
    default: { // a stray character
      const at = random.int(0, text.length);
      return text.slice(0, at) + pick(random, ['<', '>', '&', '"', "'", '\u0000', '\uFFFD', ']', '}', ':', '-', '\t']) + text.slice(at);
    }
  }
  return all.join('\n');
}

/** One XML attribute holding a number gets an extreme value, or its own value scaled by 10^k. */
function mutateXmlNumber(random: Random, text: string): string {
  const numbers = [...text.matchAll(/(\s[A-Za-z]+=")(-?[0-9][0-9.eE+-]*)(")/g)];
  if (numbers.length === 0) return text;
  const match = pick(random, numbers);
  const value = random.next() < 0.5 ? pick(random, EXTREME_NUMBERS) : String(Number(match[2]) * 10 ** random.int(-12, 12));
  const at = match.index! + match[1].length;
  return text.slice(0, at) + value + text.slice(at + match[2].length);
}

/** One YAML value after `key: ` gets an extreme or malformed value. */
function mutateYamlValue(random: Random, text: string): string {
  const values = [...text.matchAll(/(:\s+)([^\s{}[\],#][^,}\]\n#]*)/g)];
  if (values.length === 0) return text;
  const match = pick(random, values);
  const at = match.index! + match[1].length;
  return text.slice(0, at) + pick(random, YAML_VALUES) + text.slice(at + match[2].length);
}

/**
 * A whole element deleted or repeated (lanes, geometries, roads' parts, actions): the file
 * stays well-formed, so the damage reaches the reader rather than the XML parser.
 */
function mutateXmlElement(random: Random, text: string): string {
  const all = lines(text);
  const elements = all.flatMap((line, i) => (/^\s*<[A-Za-z][^>]*\/>\s*$/.test(line) ? [i] : []));
  if (elements.length === 0) return text;
  const i = pick(random, elements);
  if (random.next() < 0.4) all.splice(i, 1);
  else all.splice(i, 0, ...Array.from({ length: pick(random, [1, 10, 100, 3000]) }, () => all[i]));
  return all.join('\n');
}

export function mutateXml(random: Random, text: string): string {
  let out = text;
  for (let n = random.int(1, 3); n > 0; n--) {
    const r = random.next();
    out = r < 0.5 ? mutateXmlNumber(random, out) : r < 0.85 ? mutateXmlElement(random, out) : mutateLines(random, out);
  }
  return out;
}

export function mutateYaml(random: Random, text: string): string {
  let out = text;
  for (let n = random.int(1, 3); n > 0; n--) {
    const r = random.next();
    if (r < 0.5) out = mutateYamlValue(random, out);
    else if (r < 0.85) out = mutateLines(random, out);
    else {
      // Aliases, anchors and nesting at a random line.
      const all = lines(out);
      all.splice(random.int(0, all.length), 0, pick(random, ['x: &a [*a]', 'y: *undefined', 'z: &b { k: *b }', `deep: ${'['.repeat(5000)}`, 'a0: &a0 [1,1,1,1,1,1,1,1,1,1]\na1: &a1 [*a0,*a0,*a0,*a0,*a0,*a0,*a0,*a0,*a0,*a0]', '---', '...', '%YAML 1.1']));
      out = all.join('\n');
    }
  }
  return out;
}
