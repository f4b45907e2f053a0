import structureTables from '../../fhir-profiles/generated/r4-structure.json' with { type: 'json' };
import type { CompiledType } from './structure-tables.js';

/**
 * R4 structure in one walk of the message: a fast check that a resource is one Medplum's general validator would
 * accept, compiled once from the same R4 definitions into a table per type (elements by JSON name, their types,
 * cardinality, and the invariants that apply). It answers only "certainly valid" or "not certain": for anything it
 * does not check itself (an invariant it has no code for, a primitive's extension, a slice), it is not certain, and
 * the caller asks the general validator, which also words every issue. So it may be stricter than R4, never looser
 * (test/unit/fast-structure.test.ts holds it to that on every example and on mutated ones).
 */

interface ElementRule {
  types: string[];
  min: number;
  max: number;
  array: boolean;
  /** Invariant keys to check on each value (ele-1 is checked for every element). */
  constraints: string[];
}

interface TypeRule {
  elements: Map<string, ElementRule>;
  /** JSON names of choice elements (valueString) to their element and the type the name picks. */
  choices: Map<string, { rule: ElementRule; type: string }>;
  requiredNames: string[][];
  /** Invariants on the type itself. */
  constraints: string[];
  resource: boolean;
}

const PATTERNS: Record<string, RegExp> = {
  base64Binary: /^([A-Za-z\d+/]{4})*([A-Za-z\d+/]{2}==|[A-Za-z\d+/]{3}=)?$/,
  canonical: /^\S*$/,
  code: /^[^\s]+( [^\s]+)*$/,
  date: /^(\d(\d(\d[1-9]|[1-9]0)|[1-9]00)|[1-9]000)(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2]\d|3[0-1]))?)?$/,
  dateTime:
    /^(\d(\d(\d[1-9]|[1-9]0)|[1-9]00)|[1-9]000)(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2]\d|3[0-1])(T([01]\d|2[0-3])(:[0-5]\d:([0-5]\d|60)(\.\d{1,9})?)?)?)?(Z|[+-]((0\d|1[0-3]):[0-5]\d|14:00)?)?)?$/,
  id: /^[A-Za-z0-9\-.]{1,64}$/,
  instant:
    /^(\d(\d(\d[1-9]|[1-9]0)|[1-9]00)|[1-9]000)-(0[1-9]|1[0-2])-(0[1-9]|[1-2]\d|3[0-1])T([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d{1,9})?(Z|[+-]((0\d|1[0-3]):[0-5]\d|14:00))$/,
  markdown: /^[\r\n\t\u0020-\uFFFF]+$/,
  oid: /^urn:oid:[0-2](\.(0|[1-9]\d*))+$/,
  string: /^[\r\n\t\u0020-\uFFFF]+$/,
  time: /^([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d{1,9})?$/,
  uri: /^\S*$/,
  url: /^\S*$/,
  uuid: /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
};
const NUMBERS = new Set(['decimal', 'integer', 'positiveInt', 'unsignedInt']);
/** FHIR strings are at most 1 MB. */
const MAX_STRING = 1024 * 1024;

let rules: Map<string, TypeRule> | undefined;

const capitalised = (type: string) => type.charAt(0).toUpperCase() + type.slice(1);

/** The compiled tables as lookups, built once per process (a few milliseconds). */
function hydrate(): Map<string, TypeRule> {
  const types = new Map<string, TypeRule>();
  for (const [key, compiled] of Object.entries(structureTables as unknown as Record<string, CompiledType>)) {
    const rule: TypeRule = {
      elements: new Map(),
      choices: new Map(),
      requiredNames: [],
      constraints: compiled.invariants,
      resource: compiled.resource,
    };
    for (const [name, [elementTypes, min, max, array, constraints]] of Object.entries(compiled.elements)) {
      const element: ElementRule = {
        types: elementTypes,
        min,
        max: max === -1 ? Number.POSITIVE_INFINITY : max,
        array,
        constraints,
      };
      if (name.endsWith('[x]')) {
        const base = name.slice(0, -3);
        for (const type of elementTypes) rule.choices.set(`${base}${capitalised(type)}`, { rule: element, type });
        if (min > 0) rule.requiredNames.push(elementTypes.map((type) => `${base}${capitalised(type)}`));
      } else {
        rule.elements.set(name, element);
        if (min > 0) rule.requiredNames.push([name]);
      }
    }
    types.set(key, rule);
  }
  return types;
}

type Json = Record<string, unknown>;

/**
 * The invariants the hub has code for, by key: each holds (true) or does not, or is not known here (absent: the
 * general validator decides).
 */
const notADocument = (value: Json) => value.type !== 'document';
// Contained resources are rare in messages: with any, the general validator decides.
const nothingContained = (_value: Json, resource: Json | undefined) => resource?.contained === undefined;
/** Consent's ppc-2 to ppc-5: R4 writes them with the literal system 'something': only such a coding can break one. */
const scopeOf = (code: string) => (value: Json) => {
  const codings = ((value.scope as Json | undefined)?.coding as Json[] | undefined) ?? [];
  return value.patient !== undefined || !codings.some((c) => c.system === 'something' && c.code === code);
};

const INVARIANTS: Record<string, (value: Json, resource: Json | undefined) => boolean> = {
  'ext-1': (value) => (value.extension !== undefined) !== hasChoice(value, 'value'),
  'bdl-1': (value) => value.total === undefined || value.type === 'searchset' || value.type === 'history',
  'bdl-2': (value) => value.type === 'searchset' || entries(value).every((e) => e.search === undefined),
  'bdl-3': (value) => {
    const wanted = ['batch', 'transaction', 'history'].includes(value.type as string);
    return entries(value).every((e) => (e.request !== undefined) === wanted);
  },
  'bdl-4': (value) => {
    const wanted = ['batch-response', 'transaction-response', 'history'].includes(value.type as string);
    return entries(value).every((e) => (e.response !== undefined) === wanted);
  },
  'bdl-7': (value) => {
    if (value.type === 'history') return true;
    const seen = new Set<string>();
    for (const e of entries(value)) {
      if (e.fullUrl === undefined) continue;
      const key = `${e.fullUrl}|${((e.resource as Json | undefined)?.meta as Json | undefined)?.versionId ?? ''}`;
      if (seen.has(key)) return false;
      seen.add(key);
    }
    return true;
  },
  'bdl-9': notADocument,
  'bdl-10': notADocument,
  'bdl-11': notADocument,
  'bdl-12': (value) =>
    value.type !== 'message' || (entries(value)[0]?.resource as Json | undefined)?.resourceType === 'MessageHeader',
  'bdl-5': (value) => value.resource !== undefined || value.request !== undefined || value.response !== undefined,
  'bdl-8': (value) => typeof value.fullUrl !== 'string' || !value.fullUrl.includes('/_history/'),
  'dom-2': nothingContained,
  'dom-4': nothingContained,
  'dom-5': nothingContained,
  'prr-1': (value) => value.orderDetail === undefined || value.code !== undefined,
  'inv-1': (value) => {
    // Task's: lastModified not before authoredOn (Parameters.parameter has an inv-1 of its own: not known here).
    if (value.resourceType !== 'Task') return false;
    if (value.lastModified === undefined || value.authoredOn === undefined) return true;
    const [modified, authored] = [Date.parse(value.lastModified as string), Date.parse(value.authoredOn as string)];
    return Number.isFinite(modified) && Number.isFinite(authored) && modified >= authored;
  },
  // A reference to a contained resource is for the general validator.
  'ref-1': (value) => typeof value.reference !== 'string' || !value.reference.startsWith('#'),
  'per-1': (value) => {
    if (value.start === undefined || value.end === undefined) return true;
    const [start, end] = [value.start as string, value.end as string];
    // FHIRPath compares only dates of the same precision: otherwise the general validator decides.
    return start.length === end.length && Date.parse(start) <= Date.parse(end);
  },
  'cpt-2': (value) => value.value === undefined || value.system !== undefined,
  'att-1': (value) => value.data === undefined || value.contentType !== undefined,
  'qty-3': (value) => value.code === undefined || value.system !== undefined,
  'obs-6': (value) => value.dataAbsentReason === undefined || !hasChoice(value, 'value'),
  // A value beside components: whether a component repeats the code is for the general validator.
  'obs-7': (value) => !hasChoice(value, 'value') || value.component === undefined,
  'ppc-1': (value) => value.policy !== undefined || value.policyRule !== undefined,
  'ppc-2': scopeOf('patient-privacy'),
  'ppc-3': scopeOf('research'),
  'ppc-4': scopeOf('adr'),
  'ppc-5': scopeOf('treatment'),
  'cpl-3': (value) => value.detail === undefined || value.reference === undefined,
  'pat-1': (value) => ['name', 'telecom', 'address', 'organization'].some((k) => value[k] !== undefined),
  'org-2': (value) => value.use !== 'home',
  'org-3': (value) => value.use !== 'home',
  'sqty-1': (value) => value.comparator === undefined,
  'con-4': (value) => {
    // Condition: an abatement only with a clinical status of resolved, remission or inactive.
    if (!hasChoice(value, 'abatement')) return true;
    const codings = ((value.clinicalStatus as Json | undefined)?.coding as Json[] | undefined) ?? [];
    return codings.some(
      (c) =>
        c.system === 'http://terminology.hl7.org/CodeSystem/condition-clinical' &&
        ['resolved', 'remission', 'inactive'].includes(c.code as string),
    );
  },
  'con-5': (value) => {
    // Condition: no clinical status on one entered in error.
    const codings = ((value.verificationStatus as Json | undefined)?.coding as Json[] | undefined) ?? [];
    const enteredInError = codings.some(
      (c) => c.system === 'http://terminology.hl7.org/CodeSystem/condition-ver-status' && c.code === 'entered-in-error',
    );
    return !enteredInError || value.clinicalStatus === undefined;
  },
  'con-1': (value) => value.summary !== undefined || value.assessment !== undefined,
  'con-2': (value) => value.code !== undefined || value.detail !== undefined,
  // R4 compares each category (a CodeableConcept) with a string: only these cases are certain.
  'con-3': (value) => value.clinicalStatus !== undefined || value.category === undefined,
  'app-1': (value) => value.type !== undefined || value.actor !== undefined,
  'app-2': (value) => (value.start === undefined) === (value.end === undefined),
  'app-3': (value) =>
    (value.start !== undefined && value.end !== undefined) ||
    ['proposed', 'cancelled', 'waitlist'].includes(value.status as string),
  'app-4': (value) => value.cancelationReason === undefined || ['noshow', 'cancelled'].includes(value.status as string),
  'qrs-1': (value) => value.answer === undefined || value.item === undefined,
};

/** Checks one invariant the hub has code for; false when it does not hold or is not known here. */
function invariantHolds(key: string, value: Json, resource: Json | undefined): boolean {
  return INVARIANTS[key]?.(value, resource) ?? false;
}

/** Whether a choice element (value[x]) has a value: a key of its name and a type (valueQuantity). */
const hasChoice = (object: Json, base: string) =>
  Object.keys(object).some((k) => k.startsWith(base) && k.length > base.length && k.charCodeAt(base.length) < 91);

const entries = (bundle: Json) => (Array.isArray(bundle.entry) ? (bundle.entry as Json[]) : []);

function primitiveHolds(type: string, value: unknown): boolean {
  if (type === 'boolean') return typeof value === 'boolean';
  if (NUMBERS.has(type)) {
    if (typeof value !== 'number' || !Number.isFinite(value)) return false;
    if (type === 'decimal') return true;
    if (!Number.isInteger(value)) return false;
    return type === 'positiveInt' ? value > 0 : type === 'unsignedInt' ? value >= 0 : true;
  }
  if (typeof value !== 'string' || value.length > MAX_STRING || !value.trim()) return false;
  const pattern = PATTERNS[type];
  return type === 'xhtml' ? false : pattern ? pattern.test(value) : false;
}

class Walk {
  /** Where the walk stopped being certain (for tests and the benchmark's report). */
  why = '';
  constructor(private readonly types: Map<string, TypeRule>) {}

  private unsure(why: string): false {
    this.why ||= why;
    return false;
  }

  /** One value of an element of `type`; resource is the nearest enclosing resource. */
  value(value: unknown, type: string, resource: Json | undefined, depth: number): boolean {
    if (depth > 64) return this.unsure('too deep');
    const rule = this.types.get(type === 'Resource' ? ((value as Json)?.resourceType as string) : type);
    if (!rule) return (type !== 'Resource' && primitiveHolds(type, value)) || this.unsure(`a ${type} value`);
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      return this.unsure(`a ${type} not an object`);
    return this.object(value as Json, rule, rule.resource ? (value as Json) : resource, depth);
  }

  object(object: Json, rule: TypeRule, resource: Json | undefined, depth: number): boolean {
    let keys = 0;
    for (const key in object) {
      keys++;
      const child = object[key];
      if (key === 'resourceType') {
        if (!rule.resource) return this.unsure('resourceType');
        continue;
      }
      // A primitive's extension (_birthDate) is for the general validator.
      if (key.charCodeAt(0) === 95) return this.unsure(key);
      let element = rule.elements.get(key);
      let type: string | undefined;
      if (!element) {
        const choice = rule.choices.get(key);
        if (!choice) return this.unsure(`unknown ${key}`);
        element = choice.rule;
        type = choice.type;
      } else if (element.types.length === 1) {
        type = element.types[0];
      } else {
        return this.unsure(`types of ${key}`);
      }
      if (!this.element(child, element, type!, resource, depth)) return this.unsure(key);
    }
    if (keys === 0) return this.unsure('empty');
    for (const names of rule.requiredNames)
      if (!names.some((name) => object[name] !== undefined)) return this.unsure(`missing ${names[0]}`);
    for (const key of rule.constraints) if (!invariantHolds(key, object, resource)) return this.unsure(key);
    return true;
  }

  private element(child: unknown, element: ElementRule, type: string, resource: Json | undefined, depth: number) {
    if (child === null || child === undefined) return this.unsure('null');
    const values = element.array ? child : [child];
    if (!Array.isArray(values) || (element.array === false && Array.isArray(child))) return this.unsure('arity');
    if (values.length === 0 || values.length < element.min || values.length > element.max)
      return this.unsure('cardinality');
    for (const item of values) {
      if (item === null || item === undefined) return this.unsure('null');
      if (!this.value(item, type, resource, depth + 1)) return false;
      if (element.constraints.length) {
        if (typeof item !== 'object') return this.unsure('constraint on a primitive');
        for (const key of element.constraints)
          if (!invariantHolds(key, item as Json, resource)) return this.unsure(key);
      }
    }
    return true;
  }
}

/**
 * Whether the resource is certainly valid R4 (as the general validator would find it), and if not certain, the first
 * thing the walk could not vouch for.
 */
export function fastStructureCheck(resource: unknown): { certain: boolean; why?: string } {
  rules ??= hydrate();
  if (!resource || typeof resource !== 'object' || Array.isArray(resource))
    return { certain: false, why: 'not a resource' };
  const type = (resource as Json).resourceType;
  const rule = typeof type === 'string' ? rules.get(type) : undefined;
  if (!rule?.resource) return { certain: false, why: `resource type ${typeof type === 'string' ? type : typeof type}` };
  const walk = new Walk(rules);
  return walk.object(resource as Json, rule, resource as Json, 0)
    ? { certain: true }
    : { certain: false, why: walk.why };
}

export const certainlyValidR4 = (resource: unknown) => fastStructureCheck(resource).certain;
