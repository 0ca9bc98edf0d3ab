import { UserError } from '../core/errors.js';
import type { Random } from '../core/Random.js';
import type { Distribution, ParameterSpec } from './Scenario.js';

export type ParamValues = Record<string, number | string>;

/**
 * `--grid name=a,b,c` (a list) or `--grid name=from:to:step` (a range, both ends included
 * when the step lands on them): the values of one sweep axis.
 */
export function parseGrid(text: string): { name: string; values: (number | string)[] } {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new UserError(`--grid ${text}: expected name=a,b,c or name=from:to:step`);
  const name = text.slice(0, eq).trim();
  const body = text.slice(eq + 1).trim();
  const range = body.match(/^(-?[\d.eE+-]+):(-?[\d.eE+-]+):([\d.eE+-]+)$/);
  if (range) {
    const [from, to, step] = range.slice(1).map(Number);
    if (!(step > 0) || !Number.isFinite(from) || !Number.isFinite(to)) throw new UserError(`--grid ${text}: the range needs numbers and a step > 0`);
    const n = Math.floor((to - from) / step + 1e-9);
    if (n < 0 || n > 100000) throw new UserError(`--grid ${text}: the range is empty or too long`);
    return { name, values: Array.from({ length: n + 1 }, (_, i) => roundish(from + i * step)) };
  }
  const values = body.split(',').map((v) => v.trim()).filter((v) => v !== '').map((v) => (Number.isFinite(Number(v)) ? Number(v) : v));
  if (values.length === 0) throw new UserError(`--grid ${text}: no values`);
  return { name, values };
}

/** `--param name=value`. */
export function parseParam(text: string): [string, string] {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new UserError(`--param ${text}: expected name=value`);
  return [text.slice(0, eq).trim(), text.slice(eq + 1).trim()];
}

function roundish(x: number): number {
  return Number(x.toPrecision(12));
}

/** Every combination of the grid axes, in order (the last axis varies fastest). */
export function gridVariants(axes: { name: string; values: (number | string)[] }[]): ParamValues[] {
  let out: ParamValues[] = [{}];
  for (const axis of axes) out = out.flatMap((v) => axis.values.map((x) => ({ ...v, [axis.name]: x })));
  return out;
}

/** One draw from a distribution. */
export function draw(d: Distribution, random: Random): number | string {
  switch (d.type) {
    case 'uniform': return random.uniform(d.min, d.max);
    case 'normal': return random.normal(d.mean, d.std);
    case 'truncatedNormal': {
      for (let i = 0; i < 10000; i++) {
        const x = random.normal(d.mean, d.std);
        if (x >= d.min && x <= d.max) return x;
      }
      return Math.min(Math.max(d.mean, d.min), d.max);
    }
    case 'logNormal': return Math.exp(random.normal(d.mu, d.sigma));
    case 'choice': {
      const weights = d.weights ?? d.values.map(() => 1);
      const total = weights.reduce((a, b) => a + b, 0);
      let r = random.next() * total;
      for (let i = 0; i < d.values.length; i++) {
        r -= weights[i];
        if (r < 0) return d.values[i];
      }
      return d.values[d.values.length - 1];
    }
  }
}

/** N variants drawn from the declared distributions (parameters without one keep their default). */
export function sampleVariants(specs: ParameterSpec[], n: number, random: Random): ParamValues[] {
  const withDist = specs.filter((p) => p.distribution);
  if (withDist.length === 0) throw new UserError('--samples: the scenario declares no parameter with a distribution');
  return Array.from({ length: n }, (_, i) => {
    const r = random.split(`sample-${i}`);
    const v: ParamValues = {};
    for (const p of withDist) {
      let x = draw(p.distribution!, r);
      if (typeof x === 'number') {
        if (p.min !== undefined) x = Math.max(p.min, x);
        if (p.max !== undefined) x = Math.min(p.max, x);
        x = roundish(x);
      }
      v[p.name] = x;
    }
    return v;
  });
}
