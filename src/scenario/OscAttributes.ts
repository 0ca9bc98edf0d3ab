import { UserError } from '../core/errors.js';
import type { XmlElement } from '../map/xml.js';
import { ExpressionError, substitute, type ParamValue } from './expressions.js';
import type { ParameterSpec } from './Scenario.js';

/** Parameter values in scope: `$name` and `${expr}` in attributes resolve against these. */
export type Scope = Map<string, ParamValue>;

/** The attribute readers of an OscAttributes, for the readers of one concept in their own file. */
export interface AttributeReader {
  readonly file: string;
  str(el: XmlElement, name: string, scope: Scope, fallback?: string): string;
  num(el: XmlElement, name: string, scope: Scope, fallback?: number): number;
  fail(el: XmlElement, message: string): never;
  warn(el: XmlElement, what: string): void;
  unsupported(el: XmlElement): void;
}

/**
 * What an OpenSCENARIO reader does with attributes: substitutes parameters and expressions,
 * reads strings and numbers with errors that name the file and line, declares parameters
 * into a new scope, and collects warnings for what it ignores.
 */
export class OscAttributes {
  readonly warnings: string[] = [];
  /**
   * The scenario's OpenSCENARIO minor version (its FileHeader's revMinor; 3 where it gives none):
   * some readings differ by version, as in esmini (which reads them from the scenario's header).
   */
  protected revMinor = 3;

  constructor(readonly file: string) {}

  /** The version from the scenario's FileHeader (revMinor). */
  protected readVersion(root: XmlElement): void {
    const minor = Number(root.children.find((c) => c.name === 'FileHeader')?.attributes.revMinor);
    if (Number.isInteger(minor) && minor >= 0) this.revMinor = minor;
  }

  protected attributeReader(): AttributeReader {
    return {
      file: this.file,
      str: (el, name, scope, fallback) => this.str(el, name, scope, fallback),
      num: (el, name, scope, fallback) => this.num(el, name, scope, fallback),
      fail: (el, message) => this.fail(el, message),
      warn: (el, what) => this.warn(el, what),
      unsupported: (el) => this.unsupported(el),
    };
  }

  protected fail(el: XmlElement, message: string, file = this.file): never {
    throw new UserError(message, `${file}:${el.line}`);
  }

  protected warn(el: XmlElement, what: string, file = this.file): void {
    this.warnings.push(`${file}:${el.line}: <${el.name}> ${what}`);
  }

  /** The first child element of a name, or an error naming the element that lacks it. */
  protected child(el: XmlElement, name: string): XmlElement {
    const found = el.children.find((c) => c.name === name);
    if (!found) this.fail(el, `<${el.name}> needs a <${name}> element`);
    return found;
  }

  protected unsupported(el: XmlElement, file = this.file): void {
    this.warn(el, 'is not supported; ignored', file);
  }

  // ------------------------------------------------------------ values

  protected value(el: XmlElement, name: string, scope: Scope, file = this.file): ParamValue | undefined {
    const raw = el.attributes[name];
    if (raw === undefined) return undefined;
    try {
      return substitute(raw, scope);
    } catch (error) {
      if (error instanceof ExpressionError) this.fail(el, `attribute "${name}": ${error.message}`, file);
      throw error;
    }
  }

  protected str(el: XmlElement, name: string, scope: Scope, fallback?: string, file = this.file): string {
    const v = this.value(el, name, scope, file);
    if (v === undefined) {
      if (fallback !== undefined) return fallback;
      this.fail(el, `<${el.name}> needs the attribute "${name}"`, file);
    }
    return String(v);
  }

  protected num(el: XmlElement, name: string, scope: Scope, fallback?: number, file = this.file): number {
    const v = this.value(el, name, scope, file);
    if (v === undefined) {
      if (fallback !== undefined) return fallback;
      this.fail(el, `<${el.name}> needs the numeric attribute "${name}"`, file);
    }
    const n = typeof v === 'number' ? v : Number(v);
    if (!Number.isFinite(n)) this.fail(el, `<${el.name}> attribute "${name}" must be a number, got "${String(v)}"`, file);
    return n;
  }

  protected declare(parent: XmlElement | undefined, scope: Scope, file = this.file, overrides?: Record<string, string | number>, specs?: ParameterSpec[]): Scope {
    const decls = parent?.children.find((c) => c.name === 'ParameterDeclarations');
    if (!decls) return scope;
    const next = new Map(scope);
    for (const d of decls.children.filter((c) => c.name === 'ParameterDeclaration')) {
      const name = d.attributes.name;
      const type = d.attributes.parameterType ?? 'string';
      let v = this.value(d, 'value', next, file) ?? '';
      if ((type === 'double' || type === 'integer' || type === 'unsignedInt' || type === 'unsignedShort') && typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) v = Number(v);
      if (type === 'boolean' && typeof v === 'string') v = v === 'true';
      if (overrides && name in overrides) {
        const o = overrides[name];
        v = typeof o === 'string' && o.trim() !== '' && Number.isFinite(Number(o)) ? Number(o) : o;
      }
      next.set(name, v);
      if (specs) specs.push({ name, default: typeof v === 'boolean' ? String(v) : v });
    }
    return next;
  }
}
