import {
  AndAtom,
  type Atom,
  DotAtom,
  EqualsAtom,
  FhirPathAtom,
  FunctionAtom,
  ImpliesAtom,
  LiteralAtom,
  NotEqualsAtom,
  OrAtom,
  SymbolAtom,
  XorAtom,
} from '@medplum/core';
import structureTables from '../../fhir-profiles/generated/r4-structure.json' with { type: 'json' };
import type { CompiledType } from './structure-tables.js';

/**
 * The profiles' FHIRPath invariants as plain functions: the small part of FHIRPath they use (element paths whose
 * types R4 fixes, where(), exists(), empty(), not(), = and != against a literal, and/or/xor/implies), compiled once
 * per process from Medplum's parse of the expression, with Medplum's evaluation semantics. An expression using
 * anything else does not compile, and a value the compiled code does not handle (a primitive's extension) makes it
 * give up on that resource: Medplum evaluates the expression then. test/unit/compiled-fhirpath.test.ts holds the
 * compiled functions to Medplum's answers.
 */

/** An expression's result on one resource (as evalFhirPath gives it), or undefined when Medplum must answer. */
export type CompiledExpression = (resource: object) => unknown[] | undefined;

const TABLES = structureTables as unknown as Record<string, CompiledType>;

/** What a node yields: booleans ([] or [true|false]) or a collection of values of one known FHIR type. */
type Node = { kind: 'boolean'; run: Run } | { kind: 'collection'; type: string; run: Run };
type Run = (input: unknown[]) => unknown[];

/** Thrown while running when a value needs what only Medplum's evaluator handles; caught by the compiled root. */
const GIVE_UP = Symbol('give up');

/** The expression compiled for resources of `resourceType`, or undefined when it uses what is not compiled. */
export function compileExpression(atom: Atom, resourceType: string): CompiledExpression | undefined {
  const root = atom instanceof FhirPathAtom ? atom.child : atom;
  const node = compile(root, { kind: 'collection', type: resourceType, run: identity });
  if (!node) return undefined;
  return (resource) => {
    try {
      return node.run([resource]);
    } catch (error) {
      if (error === GIVE_UP) return undefined;
      throw error;
    }
  };
}

const identity: Run = (input) => input;

function compile(atom: Atom, input: Node): Node | undefined {
  if (atom instanceof DotAtom) {
    const left = compile(atom.left, input);
    const right = left && compile(atom.right, left);
    if (!left || !right) return undefined;
    return { ...right, run: (values) => right.run(left.run(values)) };
  }
  if (atom instanceof SymbolAtom) return input.kind === 'collection' ? element(input.type, atom.name) : undefined;
  if (atom instanceof FunctionAtom) return call(atom, input);
  if (atom instanceof EqualsAtom || atom instanceof NotEqualsAtom) return comparison(atom, input);
  if (atom instanceof AndAtom || atom instanceof OrAtom || atom instanceof XorAtom || atom instanceof ImpliesAtom) {
    const left = compile(atom.left, input);
    const right = compile(atom.right, input);
    if (left?.kind !== 'boolean' || right?.kind !== 'boolean') return undefined;
    const combine = LOGIC.get(atom.constructor as LogicAtom)!;
    return { kind: 'boolean', run: (values) => combine(left.run(values)[0], right.run(values)[0]) };
  }
  return undefined;
}

type Truth = boolean | undefined;
type LogicAtom = typeof AndAtom | typeof OrAtom | typeof XorAtom | typeof ImpliesAtom;
/** FHIRPath's three-valued logic, where undefined is the empty collection (Medplum's atoms.ts). */
const LOGIC = new Map<LogicAtom, (left: unknown, right: unknown) => Truth[]>([
  [AndAtom, (l, r) => (l === true && r === true ? [true] : l === false || r === false ? [false] : [])],
  [OrAtom, (l, r) => (l === false && r === false ? [false] : l || r ? [true] : [])],
  [XorAtom, (l, r) => (l === undefined || r === undefined ? [] : [l !== r])],
  [ImpliesAtom, (l, r) => (r === true || l === false ? [true] : l === undefined || r === undefined ? [] : [false])],
]);

/** A step down to an element whose one type R4 fixes (a choice element, or a type not in the tables, does not compile). */
function element(ownerType: string, name: string): Node | undefined {
  if (name === '$this') return { kind: 'collection', type: ownerType, run: identity };
  const rule = TABLES[ownerType]?.elements[name];
  const type = rule?.[0].length === 1 ? rule[0][0]! : undefined;
  if (!type) return undefined;
  const primitive = type.charAt(0) !== type.charAt(0).toUpperCase();
  const extensionName = `_${name}`;
  return {
    kind: 'collection',
    type,
    run: (values) => {
      const found: unknown[] = [];
      for (const value of values) {
        if (typeof value !== 'object' || value === null) continue;
        // A primitive with an extension becomes an object in Medplum's model: its evaluator answers.
        if (primitive && extensionName in value) throw GIVE_UP;
        const child = (value as Record<string, unknown>)[name];
        if (Array.isArray(child)) {
          for (const item of child) if (item !== undefined) found.push(item);
        } else if (!isEmpty(child)) found.push(child);
      }
      return found;
    },
  };
}

function call(atom: FunctionAtom, input: Node): Node | undefined {
  const [criteria, ...rest] = atom.args;
  if (rest.length > 0) return undefined;
  const test = criteria && input.kind === 'collection' ? compile(criteria, { ...input, run: identity }) : undefined;
  if (criteria && test?.kind !== 'boolean') return undefined;
  const holds = (value: unknown) => {
    const result = test!.run([value]);
    return result.length > 0 && !!result[0];
  };
  switch (atom.name) {
    case 'where':
      return test && input.kind === 'collection' ? { ...input, run: (values) => values.filter(holds) } : undefined;
    case 'exists':
      return {
        kind: 'boolean',
        run: test
          ? (values) => [values.some(holds)]
          : (values) => [values.length > 0 && values.every((v) => !isEmpty(v))],
      };
    case 'empty':
      return criteria
        ? undefined
        : { kind: 'boolean', run: (values) => [values.length === 0 || values.every(isEmpty)] };
    case 'not':
      return criteria || input.kind !== 'boolean'
        ? undefined
        : { kind: 'boolean', run: (values) => (values.length === 0 ? [] : [!values[0]]) };
    default:
      return undefined;
  }
}

/** `path = literal` and `path != literal`, as Medplum's fhirPathArrayEquals and fhirPathEquals answer them. */
function comparison(atom: EqualsAtom | NotEqualsAtom, input: Node): Node | undefined {
  const left = compile(atom.left, input);
  if (left?.kind !== 'collection' || !(atom.right instanceof LiteralAtom)) return undefined;
  const literal = atom.right.value.value;
  if (typeof literal === 'object') return undefined;
  const negate = atom instanceof NotEqualsAtom;
  const equals = (value: unknown) => {
    const primitive = (value as { valueOf(): unknown }).valueOf();
    return typeof primitive === 'number' && typeof literal === 'number'
      ? Math.abs(primitive - literal) < 1e-8
      : primitive === literal;
  };
  return {
    kind: 'boolean',
    run: (values) => {
      const found = left.run(values);
      if (found.length === 0) return [];
      return [found.length === 1 ? equals(found[0]) !== negate : negate];
    },
  };
}

/** Medplum's isEmpty: nothing, an empty string, or an object or array with nothing in it. */
function isEmpty(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (typeof value === 'string') return value === '';
  if (typeof value !== 'object') return false;
  if (Array.isArray(value)) return value.length === 0;
  for (const _ in value) return false;
  return true;
}
