import type { ActionSpec, ConditionKind, DeclaredValue, Rule, RuntimeValue, StoryboardSpec, ValueStore } from '../scenario/Scenario.js';

type ValueAction = Extract<ActionSpec, { type: 'value' }>;
type ValueCondition = Extract<ConditionKind, { type: 'value' }>;

/**
 * The storyboard's runtime parameters and variables (OpenSCENARIO 1.x ParameterAction,
 * 1.2 VariableAction, ParameterCondition, VariableCondition). The standard lets a
 * ParameterSetAction change a parameter while the scenario runs, and conditions read the value
 * in force. Attributes that referred to a parameter (`$name`) were resolved when the file was
 * read and keep that value, as in esmini, whose ParameterSetAction only writes its parameter
 * table (OSCGlobalAction.cpp) after the scenario was parsed.
 *
 * Values change when the action starts, inside an evaluation pass; a condition evaluated
 * earlier in the same pass sees the old value and fires on the next step.
 */
export class RuntimeValues {
  private readonly stores: Record<ValueStore, Map<string, DeclaredValue>>;

  constructor(spec: StoryboardSpec['values']) {
    const copy = (r: Record<string, DeclaredValue> | undefined): Map<string, DeclaredValue> => new Map(Object.entries(r ?? {}).map(([k, v]) => [k, { ...v }]));
    this.stores = { parameter: copy(spec?.parameter), variable: copy(spec?.variable) };
  }

  /** The value in force, or undefined for one never declared. */
  get(store: ValueStore, ref: string): RuntimeValue | undefined {
    return this.stores[store].get(ref)?.value;
  }

  /** A Set (the value converted to the declared type) or Modify (add, then multiply) action. */
  apply(action: ValueAction): void {
    const declared = this.stores[action.store].get(action.ref);
    if (!declared) return; // The reader refuses undeclared references; nothing to do here.
    if (action.set !== undefined) {
      declared.value = convert(action.set, declared.type);
      return;
    }
    const current = Number(declared.value);
    if (!Number.isFinite(current)) return;
    let next = current;
    if (action.add !== undefined) next += action.add;
    if (action.multiply !== undefined) next *= action.multiply;
    declared.value = next;
  }

  /** Whether a value condition holds now; `numeric` is the storyboard's rule on numbers. */
  holds(condition: ValueCondition, numeric: (a: number, b: number, rule: Rule) => boolean): boolean {
    const declared = this.stores[condition.store].get(condition.ref);
    if (!declared) return false;
    return compare(declared, condition.value, condition.rule, numeric);
  }
}

const NUMERIC = new Set(['double', 'integer', 'unsignedInt', 'unsignedShort']);

/** A value as its declared type holds it: numbers as numbers, booleans as booleans. */
export function convert(value: RuntimeValue, type: DeclaredValue['type']): RuntimeValue {
  if (NUMERIC.has(type)) return typeof value === 'number' ? value : Number(value);
  if (type === 'boolean') return typeof value === 'boolean' ? value : String(value).trim() === 'true';
  return String(value);
}

/**
 * Numbers compare by the rule; strings, booleans and dateTimes only by equalTo / notEqualTo
 * (the standard's other rules have no meaning there and never hold).
 */
function compare(declared: DeclaredValue, wanted: RuntimeValue, rule: Rule, numeric: (a: number, b: number, rule: Rule) => boolean): boolean {
  if (NUMERIC.has(declared.type)) {
    const a = Number(declared.value), b = Number(wanted);
    return Number.isFinite(a) && Number.isFinite(b) && numeric(a, b, rule);
  }
  const a = String(convert(declared.value, declared.type));
  const b = String(convert(wanted, declared.type));
  if (rule === 'equalTo') return a === b;
  if (rule === 'notEqualTo') return a !== b;
  return false;
}
