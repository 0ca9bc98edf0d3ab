import type { XmlElement } from '../map/xml.js';
import type { AttributeReader, Scope } from './OscAttributes.js';
import type { ActionSpec, ActionWithName, ConditionKind, DeclaredValue, Rule, RuntimeValue, StoryboardSpec, ValueStore } from './Scenario.js';

type ValueAction = Extract<ActionSpec, { type: 'value' }>;
type ValueCondition = Extract<ConditionKind, { type: 'value' }>;
type Declarations = NonNullable<StoryboardSpec['values']>;

const RULES = new Set(['greaterThan', 'lessThan', 'equalTo', 'greaterOrEqual', 'lessOrEqual', 'notEqualTo']);
const TYPES = new Set(['double', 'integer', 'unsignedInt', 'unsignedShort', 'boolean', 'string', 'dateTime']);
const NUMERIC = new Set(['double', 'integer', 'unsignedInt', 'unsignedShort']);

/**
 * Reads OpenSCENARIO's runtime values: the global ParameterDeclarations and (1.2)
 * VariableDeclarations with their types, ParameterAction / VariableAction (SetAction, and
 * ModifyAction with a Rule of AddValue or MultiplyByValue), and ParameterCondition /
 * VariableCondition. References are checked once the declarations are known (`check`): an
 * undeclared name, a number set to a non-number, or arithmetic on a non-number is an error
 * naming the element's line. The behaviour is src/sim/RuntimeValues.ts.
 */
export class OscValues {
  private readonly uses: { el: XmlElement; store: ValueStore; ref: string; action?: ValueAction; condition?: ValueCondition }[] = [];

  constructor(private readonly r: AttributeReader) {}

  /** The root's global parameters (their values after --param overrides, from `scope`) and variables. */
  declarations(root: XmlElement, scope: Scope): Declarations {
    const out: Declarations = { parameter: {}, variable: {} };
    for (const d of root.children.find((c) => c.name === 'ParameterDeclarations')?.children ?? []) {
      if (d.name !== 'ParameterDeclaration') continue;
      let type = this.type(d, d.attributes.parameterType ?? 'string');
      const v = scope.get(d.attributes.name) ?? '';
      // Lenient as the load-time reading of parameters is: a value that is no number is a string.
      if (NUMERIC.has(type) && !(typeof v === 'number' || (String(v).trim() !== '' && Number.isFinite(Number(v))))) type = 'string';
      if (type === 'boolean' && String(v) !== 'true' && String(v) !== 'false') type = 'string';
      out.parameter[d.attributes.name] = { type, value: this.convert(d, v, type) };
    }
    for (const d of root.children.find((c) => c.name === 'VariableDeclarations')?.children ?? []) {
      if (d.name !== 'VariableDeclaration') {
        this.r.unsupported(d);
        continue;
      }
      const type = this.type(d, this.r.str(d, 'variableType', scope));
      out.variable[this.r.str(d, 'name', scope)] = { type, value: this.convert(d, this.r.str(d, 'value', scope, ''), type) };
    }
    return out;
  }

  /** A ParameterAction or VariableAction (the GlobalAction's child). */
  action(el: XmlElement, scope: Scope, name: string): ActionWithName[] {
    const store: ValueStore = el.name === 'VariableAction' ? 'variable' : 'parameter';
    const ref = this.r.str(el, store === 'variable' ? 'variableRef' : 'parameterRef', scope);
    const inner = el.children[0];
    let action: ValueAction;
    if (inner?.name === 'SetAction') {
      action = { type: 'value', store, ref, set: this.r.str(inner, 'value', scope) };
    } else if (inner?.name === 'ModifyAction') {
      const rule = inner.children.find((c) => c.name === 'Rule')?.children[0];
      if (rule?.name === 'AddValue') action = { type: 'value', store, ref, add: this.r.num(rule, 'value', scope) };
      else if (rule?.name === 'MultiplyByValue') action = { type: 'value', store, ref, multiply: this.r.num(rule, 'value', scope) };
      else this.r.fail(rule ?? inner, '<ModifyAction> needs a <Rule> with <AddValue> or <MultiplyByValue>');
    } else {
      this.r.fail(inner ?? el, `<${el.name}> needs a <SetAction> or <ModifyAction>`);
    }
    this.uses.push({ el: inner, store, ref, action });
    return [{ ...action, name }];
  }

  /** A ParameterCondition or VariableCondition (the ByValueCondition's child). */
  condition(el: XmlElement, scope: Scope): ValueCondition {
    const store: ValueStore = el.name === 'VariableCondition' ? 'variable' : 'parameter';
    const rule = this.r.str(el, 'rule', scope);
    if (!RULES.has(rule)) this.r.fail(el, `rule="${rule}" is not one of ${[...RULES].join(', ')}`);
    const condition: ValueCondition = { type: 'value', store, ref: this.r.str(el, store === 'variable' ? 'variableRef' : 'parameterRef', scope), value: this.r.str(el, 'value', scope), rule: rule as Rule };
    this.uses.push({ el, store, ref: condition.ref, condition });
    return condition;
  }

  /** Checks every reference against the declarations and converts values to the declared types. */
  check(declared: Declarations): void {
    for (const use of this.uses) {
      const d = declared[use.store][use.ref];
      if (!d) {
        const names = Object.keys(declared[use.store]);
        this.r.fail(use.el, `no ${use.store} "${use.ref}" is declared (${use.store === 'variable' ? 'VariableDeclarations' : 'global ParameterDeclarations'}: ${names.join(', ') || 'none'})`);
      }
      if (use.action?.set !== undefined) use.action.set = this.convert(use.el, use.action.set, d.type);
      if (use.action && use.action.set === undefined && !NUMERIC.has(d.type)) this.r.fail(use.el, `${use.store} "${use.ref}" is of type ${d.type}: only numbers can be added to or multiplied`);
      if (use.condition) {
        use.condition.value = this.convert(use.el, use.condition.value, d.type);
        if (!NUMERIC.has(d.type) && use.condition.rule !== 'equalTo' && use.condition.rule !== 'notEqualTo') {
          this.r.warn(use.el, `rule="${use.condition.rule}" on the ${d.type} ${use.store} "${use.ref}" never holds (only equalTo and notEqualTo compare ${d.type}s)`);
        }
      }
    }
  }

  private type(el: XmlElement, type: string): DeclaredValue['type'] {
    if (!TYPES.has(type)) this.r.fail(el, `type "${type}" is not one of ${[...TYPES].join(', ')}`);
    return type as DeclaredValue['type'];
  }

  private convert(el: XmlElement, value: RuntimeValue, type: DeclaredValue['type']): RuntimeValue {
    if (NUMERIC.has(type)) {
      const n = typeof value === 'number' ? value : String(value).trim() === '' ? NaN : Number(value);
      if (!Number.isFinite(n)) this.r.fail(el, `"${String(value)}" is not a number (the ${type} value needs one)`);
      return n;
    }
    if (type === 'boolean') {
      const s = String(value).trim();
      if (s !== 'true' && s !== 'false') this.r.fail(el, `"${s}" is not a boolean (true or false)`);
      return s === 'true';
    }
    return String(value);
  }
}
