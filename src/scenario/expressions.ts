/**
 * Parameter references and expressions, as OpenSCENARIO writes them: `$name` stands for a
 * parameter's value, `${expr}` for arithmetic over numbers and parameters (+ − * / % ** and
 * parentheses, unary minus, comparisons, and `not`/`and`/`or`), and strings concatenate with
 * `+` (cut-in.xosc builds a condition name that way). Evaluated by a small recursive parser,
 * never by `eval`.
 */
export type ParamValue = number | string | boolean;

export class ExpressionError extends Error {}

export function substitute(text: string, params: ReadonlyMap<string, ParamValue>): ParamValue {
  const trimmed = text.trim();
  if (trimmed.startsWith('${') && trimmed.endsWith('}')) return evaluate(trimmed.slice(2, -1), params);
  if (/^\$[A-Za-z_][A-Za-z0-9_]*$/.test(trimmed)) {
    const name = trimmed.slice(1);
    if (!params.has(name)) throw new ExpressionError(`unknown parameter "$${name}"`);
    return params.get(name)!;
  }
  return text;
}

export function evaluate(source: string, params: ReadonlyMap<string, ParamValue>): ParamValue {
  const tokens = source.match(/\s*(\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+|\*\*|==|!=|<=|>=|&&|\|\||\$?[A-Za-z_][A-Za-z0-9_]*|[-+*/%()<>!])/g);
  if (!tokens || tokens.join('').replace(/\s/g, '') !== source.replace(/\s/g, '')) throw new ExpressionError(`cannot read the expression "${source}"`);
  const list = tokens.map((t) => t.trim());
  let i = 0;
  const peek = (): string | undefined => list[i];
  const next = (): string => list[i++];
  const num = (v: ParamValue): number => {
    if (typeof v === 'number') return v;
    if (typeof v === 'boolean') return v ? 1 : 0;
    const n = Number(v);
    if (!Number.isFinite(n)) throw new ExpressionError(`"${v}" is not a number in "${source}"`);
    return n;
  };
  const primary = (): ParamValue => {
    const t = next();
    if (t === undefined) throw new ExpressionError(`unexpected end of "${source}"`);
    if (t === '(') {
      const v = or();
      if (next() !== ')') throw new ExpressionError(`missing ")" in "${source}"`);
      return v;
    }
    if (t === '-') return -num(unary());
    if (t === '+') return num(unary());
    if (t === '!' || t === 'not') return !truthy(unary());
    if (/^[\d.]/.test(t)) return Number(t);
    if (t === 'true' || t === 'false') return t === 'true';
    const name = t.startsWith('$') ? t.slice(1) : t;
    if (params.has(name)) return params.get(name)!;
    if (t.startsWith('$')) throw new ExpressionError(`unknown parameter "${t}" in "${source}"`);
    return t; // a bare word is a string literal (names built by concatenation)
  };
  const unary = (): ParamValue => primary();
  const power = (): ParamValue => {
    const a = unary();
    if (peek() === '**') {
      next();
      return num(a) ** num(power());
    }
    return a;
  };
  const product = (): ParamValue => {
    let a = power();
    while (peek() === '*' || peek() === '/' || peek() === '%') {
      const op = next();
      const b = power();
      a = op === '*' ? num(a) * num(b) : op === '/' ? num(a) / num(b) : num(a) % num(b);
    }
    return a;
  };
  const sum = (): ParamValue => {
    let a = product();
    while (peek() === '+' || peek() === '-') {
      const op = next();
      const b = product();
      if (op === '+' && (typeof a === 'string' && !isNumeric(a) || typeof b === 'string' && !isNumeric(b))) a = `${a}${b}`;
      else a = op === '+' ? num(a) + num(b) : num(a) - num(b);
    }
    return a;
  };
  const compare = (): ParamValue => {
    let a = sum();
    while (['<', '>', '<=', '>=', '==', '!='].includes(peek() ?? '')) {
      const op = next();
      const b = sum();
      const x = num(a), y = num(b);
      a = op === '<' ? x < y : op === '>' ? x > y : op === '<=' ? x <= y : op === '>=' ? x >= y : op === '==' ? x === y : x !== y;
    }
    return a;
  };
  const and = (): ParamValue => {
    let a = compare();
    while (peek() === 'and' || peek() === '&&') {
      next();
      const b = compare();
      a = truthy(a) && truthy(b);
    }
    return a;
  };
  const or = (): ParamValue => {
    let a = and();
    while (peek() === 'or' || peek() === '||') {
      next();
      const b = and();
      a = truthy(a) || truthy(b);
    }
    return a;
  };
  const value = or();
  if (i < list.length) throw new ExpressionError(`unexpected "${list[i]}" in "${source}"`);
  return value;
}

function truthy(v: ParamValue): boolean {
  return typeof v === 'string' ? v !== '' && v !== 'false' && v !== '0' : Boolean(v);
}

function isNumeric(v: string): boolean {
  return v.trim() !== '' && Number.isFinite(Number(v));
}
