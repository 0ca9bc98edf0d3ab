import { LineCounter, parseDocument, type Document } from 'yaml';
import { UserError } from './errors.js';
import { FILE_LIMITS, readUserText } from './UserFile.js';
import { checkYamlAliases, checkYamlNesting } from './yamlLimits.js';

export type ConfigPath = readonly (string | number)[];

/**
 * A YAML or JSON file a user wrote (JSON is read as YAML, which is a superset), with typed
 * accessors that fail with `file:line ($.json.path): expected ..., got ...`.
 */
export class ConfigDocument {
  private constructor(
    readonly file: string,
    private readonly document: Document,
    private readonly lines: LineCounter,
    readonly data: unknown,
  ) {}

  /** Reads a file of at most FILE_LIMITS.config bytes (a regular file: never a device or pipe). */
  static read(file: string, what: string): ConfigDocument {
    return ConfigDocument.parse(readUserText(file, { what, maxBytes: FILE_LIMITS.config }), file);
  }

  /**
   * Parses YAML or JSON whose data is a tree of bounded size: nesting and aliases are checked
   * before anything walks it (yamlLimits.ts), and an empty file is an error, not null data.
   */
  static parse(source: string, file: string): ConfigDocument {
    checkYamlNesting(source, file);
    const lines = new LineCounter();
    const document = parseDocument(source, { lineCounter: lines, prettyErrors: false });
    if (document.errors.length > 0) {
      const error = document.errors[0];
      const line = lines.linePos(error.pos[0]).line;
      throw new UserError(`not valid YAML/JSON: ${error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`, `${file}:${line}`);
    }
    if (document.contents === null) throw new UserError('the file is empty; expected a mapping (key: value lines)', `${file}:1`);
    checkYamlAliases(document, lines, file);
    // The aliases were checked above; yaml's own count heuristic would refuse a file that
    // uses one anchor more than 100 times.
    return new ConfigDocument(file, document, lines, document.toJS({ maxAliasCount: -1 }));
  }

  /** `file:line ($.a.b[0])` for a path, with the line of the nearest node that exists. */
  where(path: ConfigPath): string {
    let line = 1;
    for (let n = path.length; n >= 0; n--) {
      const node = this.document.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
      if (node && typeof node === 'object' && node.range) {
        line = this.lines.linePos(node.range[0]).line;
        break;
      }
    }
    return `${this.file}:${line} (${formatPath(path)})`;
  }

  fail(path: ConfigPath, message: string): never {
    throw new UserError(message, this.where(path));
  }

  get(path: ConfigPath): unknown {
    let value: unknown = this.data;
    for (const key of path) {
      if (value === null || typeof value !== 'object') return undefined;
      value = (value as Record<string | number, unknown>)[key];
    }
    return value;
  }

  has(path: ConfigPath): boolean {
    return this.get(path) !== undefined;
  }

  object(path: ConfigPath, allowed?: readonly string[]): Record<string, unknown> {
    const value = this.get(path);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) this.fail(path, `expected a mapping, got ${describe(value)}`);
    if (allowed) {
      for (const key of Object.keys(value)) {
        if (!allowed.includes(key)) this.fail([...path, key], `unknown key "${key}"; expected one of ${allowed.join(', ')}`);
      }
    }
    return value as Record<string, unknown>;
  }

  array(path: ConfigPath): unknown[] {
    const value = this.get(path);
    if (!Array.isArray(value)) this.fail(path, `expected a list, got ${describe(value)}`);
    return value;
  }

  number(path: ConfigPath, options: { min?: number; max?: number; integer?: boolean; default?: number; exclusiveMin?: boolean } = {}): number {
    const value = this.get(path);
    if (value === undefined && options.default !== undefined) return options.default;
    if (typeof value !== 'number' || !Number.isFinite(value)) this.fail(path, `expected a number, got ${describe(value)}`);
    if (options.integer && !Number.isInteger(value)) this.fail(path, `expected an integer, got ${value}`);
    if (options.min !== undefined && (options.exclusiveMin ? value <= options.min : value < options.min)) {
      this.fail(path, `expected a number ${options.exclusiveMin ? '>' : '>='} ${options.min}, got ${value}`);
    }
    if (options.max !== undefined && value > options.max) this.fail(path, `expected a number <= ${options.max}, got ${value}`);
    return value;
  }

  string(path: ConfigPath, options: { oneOf?: readonly string[]; default?: string } = {}): string {
    let value = this.get(path);
    if (value === undefined && options.default !== undefined) return options.default;
    if (typeof value === 'number') value = String(value);
    if (typeof value !== 'string' || value === '') this.fail(path, `expected a string, got ${describe(value)}`);
    if (options.oneOf && !options.oneOf.includes(value)) this.fail(path, `expected one of ${options.oneOf.join(', ')}, got "${value}"`);
    return value;
  }

  boolean(path: ConfigPath, fallback: boolean): boolean {
    const value = this.get(path);
    if (value === undefined) return fallback;
    if (typeof value !== 'boolean') this.fail(path, `expected true or false, got ${describe(value)}`);
    return value;
  }
}

export function formatPath(path: ConfigPath): string {
  return '$' + path.map((k) => (typeof k === 'number' ? `[${k}]` : `.${k}`)).join('');
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}
