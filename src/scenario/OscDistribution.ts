import { dirname, resolve } from 'node:path';
import { Random } from '../core/Random.js';
import { FILE_LIMITS, readUserText } from '../core/UserFile.js';
import { parseXml, type XmlElement } from '../map/xml.js';
import { OscAttributes, type Scope } from './OscAttributes.js';
import type { ParamValues } from './parameters.js';

/** Most variants a distribution may declare (a cross product, or numberOfTestRuns): refused beyond. */
export const MAX_VARIANTS = 100_000;

export interface ParameterDistribution {
  /** The distribution file. */
  file: string;
  /** The scenario its variants run (absolute; ScenarioFile's filepath, relative to the file). */
  scenarioFile: string;
  kind: 'deterministic' | 'stochastic';
  /** The stochastic draws' seed (randomSeed; absent: 0). */
  seed?: number;
  /** Every variant's parameter values, in the order the file implies. */
  variants: ParamValues[];
}

/** Whether an OpenSCENARIO file is a ParameterValueDistribution (without reading it whole). */
export function isDistributionFile(file: string): boolean {
  if (!file.toLowerCase().endsWith('.xosc')) return false;
  const root = parseXml(readUserText(file, { what: 'scenario', maxBytes: FILE_LIMITS.openScenario }), file);
  return root.children.some((c) => c.name === 'ParameterValueDistribution');
}

/**
 * Reads an OpenSCENARIO 1.x ParameterValueDistribution file into the variants it declares.
 *
 * Deterministic: the cross product of its distributions, in document order (the last varies
 * fastest): a DeterministicSingleParameterDistribution gives one parameter's values (a
 * DistributionSet's elements; a DistributionRange's lowerLimit, lowerLimit + stepWidth, … up
 * to upperLimit), a DeterministicMultiParameterDistribution its ParameterValueSets (each sets
 * several parameters at once). Stochastic: numberOfTestRuns variants, each parameter drawn
 * from its StochasticDistribution (ProbabilityDistributionSet, NormalDistribution with
 * expectedValue and variance, UniformDistribution, PoissonDistribution, Histogram; a Range
 * truncates by redrawing). The draws are roadcast's own: run i's value of parameter p comes
 * from Random("osc-distribution:<randomSeed>:<i>:<p>"), so the same file gives the same
 * variants, independent of each other's order; another tool draws other numbers from the
 * same seed. UserDefinedDistribution and LogNormalDistribution are refused with their line.
 */
export function readParameterDistribution(file: string): ParameterDistribution {
  const root = parseXml(readUserText(file, { what: 'distribution', maxBytes: FILE_LIMITS.openScenario }), file);
  return new DistributionReader(file).read(root);
}

type Axis = ParamValues[];

class DistributionReader extends OscAttributes {
  read(root: XmlElement): ParameterDistribution {
    const dist = root.children.find((c) => c.name === 'ParameterValueDistribution');
    if (!dist) this.fail(root, 'is not a ParameterValueDistribution file');
    const scope = this.declare(root, new Map());
    const scenario = this.child(dist, 'ScenarioFile');
    const scenarioFile = resolve(dirname(resolve(this.file)), this.str(scenario, 'filepath', scope));
    const deterministic = dist.children.find((c) => c.name === 'Deterministic');
    const stochastic = dist.children.find((c) => c.name === 'Stochastic');
    if (deterministic) return { file: this.file, scenarioFile, kind: 'deterministic', variants: this.deterministic(deterministic, scope) };
    if (!stochastic) this.fail(dist, '<ParameterValueDistribution> needs a <Deterministic> or <Stochastic> distribution');
    const seed = this.num(stochastic, 'randomSeed', scope, 0);
    return { file: this.file, scenarioFile, kind: 'stochastic', seed, variants: this.stochastic(stochastic, scope, seed) };
  }

  // ------------------------------------------------------------ deterministic

  private deterministic(el: XmlElement, scope: Scope): ParamValues[] {
    const axes: Axis[] = [];
    for (const d of el.children) {
      if (d.name === 'DeterministicSingleParameterDistribution') {
        const name = this.str(d, 'parameterName', scope);
        axes.push(this.singleValues(d, scope).map((v) => ({ [name]: v })));
      } else if (d.name === 'DeterministicMultiParameterDistribution') {
        const sets = this.child(d, 'ValueSetDistribution').children.filter((c) => c.name === 'ParameterValueSet');
        axes.push(sets.map((set) => Object.fromEntries(set.children.filter((c) => c.name === 'ParameterAssignment')
          .map((a) => [this.str(a, 'parameterRef', scope), typed(this.str(a, 'value', scope))]))));
      } else this.fail(d, 'is not a deterministic distribution (DeterministicSingleParameterDistribution, DeterministicMultiParameterDistribution)');
      if (axes[axes.length - 1].length === 0) this.fail(d, 'declares no values');
    }
    if (axes.length === 0) this.fail(el, '<Deterministic> declares no distribution');
    const total = axes.reduce((n, a) => n * a.length, 1);
    if (total > MAX_VARIANTS) {
      this.fail(el, `declares ${axes.map((a) => a.length).join(' × ')} = ${total} variants, more than the ${MAX_VARIANTS} a sweep runs; split the distribution into several files`);
    }
    let out: ParamValues[] = [{}];
    for (const axis of axes) out = out.flatMap((v) => axis.map((x) => ({ ...v, ...x })));
    return out;
  }

  private singleValues(d: XmlElement, scope: Scope): (number | string)[] {
    const inner = d.children[0];
    if (inner?.name === 'DistributionSet') {
      return inner.children.filter((c) => c.name === 'Element').map((e) => typed(this.str(e, 'value', scope)));
    }
    if (inner?.name === 'DistributionRange') {
      const step = this.num(inner, 'stepWidth', scope);
      const { lower, upper } = this.range(this.child(inner, 'Range'), scope);
      if (!(step > 0)) this.fail(inner, `stepWidth must be > 0, got ${step}`);
      // lower + k·step for every k that stays ≤ upper (a hair of slack for decimal steps).
      const n = Math.floor((upper - lower) / step + 1e-9) + 1;
      if (n > MAX_VARIANTS) this.fail(inner, `declares ${n} values, more than the ${MAX_VARIANTS} a sweep runs`);
      return Array.from({ length: n }, (_, k) => roundish(lower + k * step));
    }
    return this.fail(inner ?? d, inner?.name === 'UserDefinedDistribution'
      ? 'UserDefinedDistribution is not supported (its content is for the tool that defined it); list the values in a DistributionSet'
      : 'needs a DistributionSet, DistributionRange or UserDefinedDistribution');
  }

  private range(el: XmlElement, scope: Scope): { lower: number; upper: number } {
    const lower = this.num(el, 'lowerLimit', scope), upper = this.num(el, 'upperLimit', scope);
    if (!(upper >= lower)) this.fail(el, `upperLimit (${upper}) is below lowerLimit (${lower})`);
    return { lower, upper };
  }

  // ------------------------------------------------------------ stochastic

  private stochastic(el: XmlElement, scope: Scope, seed: number): ParamValues[] {
    const runs = this.num(el, 'numberOfTestRuns', scope);
    if (!Number.isInteger(runs) || runs < 1) this.fail(el, `numberOfTestRuns must be a whole number ≥ 1, got ${runs}`);
    if (runs > MAX_VARIANTS) this.fail(el, `numberOfTestRuns="${runs}" is more than the ${MAX_VARIANTS} variants a sweep runs`);
    const draws = el.children.filter((c) => c.name === 'StochasticDistribution').map((d) => ({ name: this.str(d, 'parameterName', scope), draw: this.sampler(d, scope) }));
    if (draws.length === 0) this.fail(el, '<Stochastic> declares no StochasticDistribution');
    return Array.from({ length: runs }, (_, i) => Object.fromEntries(draws.map(({ name, draw }) => [name, draw(new Random(`osc-distribution:${seed}:${i}:${name}`))])));
  }

  /** A function that draws one value of a StochasticDistribution from a generator. */
  private sampler(d: XmlElement, scope: Scope): (r: Random) => number | string {
    const inner = d.children[0];
    const truncate = (el: XmlElement, draw: (r: Random) => number): ((r: Random) => number) => {
      const rangeEl = el.children.find((c) => c.name === 'Range');
      if (!rangeEl) return draw;
      const { lower, upper } = this.range(rangeEl, scope);
      return (r) => {
        // Truncation by redrawing keeps the shape inside the range (the standard's "Range").
        for (let i = 0; i < 10_000; i++) {
          const x = draw(r);
          if (x >= lower && x <= upper) return x;
        }
        return this.fail(rangeEl, `the range [${lower}, ${upper}] holds almost none of the distribution (no draw of 10,000 fell in it)`);
      };
    };
    switch (inner?.name) {
      case 'UniformDistribution': {
        const { lower, upper } = this.range(this.child(inner, 'Range'), scope);
        return (r) => roundish(r.uniform(lower, upper));
      }
      case 'NormalDistribution': {
        const mean = this.num(inner, 'expectedValue', scope), variance = this.num(inner, 'variance', scope);
        if (!(variance >= 0)) this.fail(inner, `variance must be ≥ 0, got ${variance}`);
        const draw = truncate(inner, (r) => r.normal(mean, Math.sqrt(variance)));
        return (r) => roundish(draw(r));
      }
      case 'PoissonDistribution': {
        const lambda = this.num(inner, 'expectedValue', scope);
        if (!(lambda > 0) || lambda > 1e6) this.fail(inner, `expectedValue must be > 0 and ≤ 1e6, got ${lambda}`);
        return truncate(inner, (r) => poisson(r, lambda));
      }
      case 'ProbabilityDistributionSet': {
        const elements = inner.children.filter((c) => c.name === 'Element').map((e) => ({ value: typed(this.str(e, 'value', scope)), weight: this.num(e, 'weight', scope) }));
        if (elements.length === 0 || elements.some((e) => !(e.weight >= 0)) || !(elements.reduce((s, e) => s + e.weight, 0) > 0)) {
          this.fail(inner, 'needs Elements with weights ≥ 0 that sum to more than 0');
        }
        return (r) => pick(r, elements).value;
      }
      case 'Histogram': {
        const bins = inner.children.filter((c) => c.name === 'Bin').map((b) => ({ weight: this.num(b, 'weight', scope), ...this.range(this.child(b, 'Range'), scope) }));
        if (bins.length === 0 || bins.some((b) => !(b.weight >= 0)) || !(bins.reduce((s, b) => s + b.weight, 0) > 0)) {
          this.fail(inner, 'needs Bins with weights ≥ 0 that sum to more than 0');
        }
        // A bin by its weight, then uniform within the bin.
        return (r) => {
          const bin = pick(r, bins);
          return roundish(r.uniform(bin.lower, bin.upper));
        };
      }
      default:
        return this.fail(inner ?? d, `${inner ? `<${inner.name}>` : 'a missing distribution'} is not supported (supported: ProbabilityDistributionSet, NormalDistribution, UniformDistribution, PoissonDistribution, Histogram)`);
    }
  }
}

/** Knuth's counting of unit-rate exponential arrivals before λ (exact Poisson(λ); O(λ)). */
function poisson(r: Random, lambda: number): number {
  let k = 0;
  let t = 0;
  for (;;) {
    let u = r.next();
    while (u === 0) u = r.next();
    t -= Math.log(u);
    if (t > lambda) return k;
    k++;
  }
}

function pick<T extends { weight: number }>(r: Random, items: T[]): T {
  const total = items.reduce((s, e) => s + e.weight, 0);
  let x = r.next() * total;
  for (const item of items) {
    x -= item.weight;
    if (x < 0) return item;
  }
  return items[items.length - 1];
}

/** A value as a number where it reads as one (parameters are typed by their declaration). */
function typed(v: string): number | string {
  return v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : v;
}

function roundish(x: number): number {
  return Number(x.toPrecision(12));
}
