import { evalFhirPath, type FhirPathAtom, parseFhirPath } from '@medplum/core';
import type { ElementDefinition, FhirResource, StructureDefinition } from 'fhir/r4';
import { type Issue, issue } from '../errors.js';
import { type MessageBundle, resolveInBundle } from '../fhir/bundle.js';
import { type CompiledExpression, compileExpression } from './compiled-fhirpath.js';
import { type Conformance, isInValueSet } from './conformance.js';

/**
 * Applies a differential StructureDefinition of the hub to one resource. What it checks, per element:
 * min/max cardinality (counted within each present parent), fixed values, patterns (on a repeating element: at least
 * one repetition must match, the hub's way of saying "one of these must be..."), required bindings (the code must be
 * in the value set) and Reference target types (resolved inside the message Bundle).
 */
export function checkProfile(
  resource: FhirResource,
  profile: StructureDefinition,
  resourcePath: string,
  bundle: MessageBundle,
  conformance: Conformance,
): Issue[] {
  const issues: Issue[] = [];
  for (const { element, parentPath, name } of elementsOf(profile)) {
    if (name === undefined) {
      issues.push(...constraintIssues(resource, element, resourcePath));
      continue;
    }
    for (const parent of valuesAt(resource, parentPath, resourcePath)) {
      const raw = (parent.value as Record<string, unknown>)[name];
      const values = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
      const path = `${parent.path}.${name}`;
      issues.push(...checkElement(element, values, path, Array.isArray(raw), bundle, conformance));
    }
  }
  return issues;
}

interface ProfileElement {
  element: ElementDefinition;
  /** The element's parent below the resource, as names; the element's own name (none for the resource itself). */
  parentPath: string[];
  name?: string;
}

/** Each profile's elements with their paths split, once per process. */
const profileElements = new WeakMap<StructureDefinition, ProfileElement[]>();
function elementsOf(profile: StructureDefinition): ProfileElement[] {
  const known = profileElements.get(profile);
  if (known) return known;
  const elements = (profile.differential?.element ?? []).map((element) => {
    const segments = element.path.split('.').slice(1);
    return segments.length === 0
      ? { element, parentPath: [] }
      : { element, parentPath: segments.slice(0, -1), name: segments[segments.length - 1]! };
  });
  profileElements.set(profile, elements);
  return elements;
}

interface Invariant {
  atom: FhirPathAtom;
  compiled: CompiledExpression | undefined;
}

/** The profiles' invariants, each parsed and compiled once per process (parsing costs more than evaluating). */
const invariants = new Map<string, Invariant>();
function invariantOf(expression: string, resourceType: string): Invariant {
  const key = `${resourceType} ${expression}`;
  const known = invariants.get(key);
  if (known) return known;
  const atom = parseFhirPath(expression);
  const invariant = { atom, compiled: compileExpression(atom, resourceType) };
  invariants.set(key, invariant);
  return invariant;
}

/** The profile's own invariants on the resource: compiled where they can be, else evaluated by Medplum. */
function constraintIssues(resource: FhirResource, element: ElementDefinition, resourcePath: string): Issue[] {
  const issues: Issue[] = [];
  for (const c of element.constraint ?? []) {
    if (c.severity !== 'error' || !c.expression) continue;
    const { atom, compiled } = invariantOf(c.expression, resource.resourceType);
    const result = compiled?.(resource) ?? evalFhirPath(atom, resource);
    if (!result.every((v) => v === true)) issues.push(issue('invariant', `${c.key}: ${c.human}`, resourcePath));
  }
  return issues;
}

interface Located {
  value: unknown;
  path: string;
}

/** Every value at a dotted path below the resource, each with its FHIRPath location (arrays indexed). */
function valuesAt(resource: unknown, segments: string[], rootPath: string): Located[] {
  let current: Located[] = [{ value: resource, path: rootPath }];
  for (const segment of segments) {
    const next: Located[] = [];
    for (const { value, path } of current) {
      const child = (value as Record<string, unknown> | undefined)?.[segment];
      if (Array.isArray(child)) {
        for (const [i, v] of child.entries()) next.push({ value: v, path: `${path}.${segment}[${i}]` });
      } else if (child !== undefined && child !== null) next.push({ value: child, path: `${path}.${segment}` });
    }
    current = next;
  }
  return current.filter((l) => typeof l.value === 'object');
}

function checkElement(
  element: ElementDefinition,
  values: unknown[],
  path: string,
  repeating: boolean,
  bundle: MessageBundle,
  conformance: Conformance,
): Issue[] {
  const issues: Issue[] = [];
  const at = (i: number) => (repeating ? `${path}[${i}]` : path);
  if (element.min !== undefined && values.length < element.min) {
    issues.push(issue('required', `${path} is required${element.short ? ` (${element.short})` : ''}`, path));
    return issues;
  }
  if (element.max !== undefined && element.max !== '*' && values.length > Number(element.max)) {
    issues.push(issue('structure', `${path} may occur at most ${element.max} time(s), found ${values.length}`, path));
  }
  if (element.fixedCode !== undefined) {
    values.forEach((v, i) => {
      if (v !== element.fixedCode)
        issues.push(issue('value', `${at(i)} must be '${element.fixedCode}', found '${String(v)}'`, at(i)));
    });
  }
  const pattern = element.patternCoding ?? element.patternCodeableConcept ?? element.patternIdentifier;
  if (pattern !== undefined && values.length > 0 && !values.some((v) => matchesPattern(v, pattern))) {
    issues.push(
      issue(
        element.patternCoding ? 'code-invalid' : 'value',
        `${path} must ${repeating ? 'include one ' : 'be '}matching ${describePattern(pattern)}`,
        path,
      ),
    );
  }
  if (element.binding?.strength === 'required' && element.binding.valueSet) {
    const valueSet = element.binding.valueSet;
    values.forEach((v, i) => {
      const codings = codingsOf(v);
      if (!codings.some((c) => isInValueSet(conformance, valueSet, c))) {
        const shown = codings.map((c) => c.code).join(', ') || String(v);
        issues.push(issue('code-invalid', `${at(i)} has '${shown}', which is not in value set ${valueSet}`, at(i)));
      }
    });
  }
  for (const type of element.type ?? []) {
    if (type.code !== 'Reference' || !type.targetProfile) continue;
    const allowed = type.targetProfile.map((p) => p.split('/').pop());
    values.forEach((v, i) => {
      const reference = (v as { reference?: string }).reference;
      const target = resolveInBundle(bundle, reference)?.resource;
      if (!target)
        issues.push(
          issue(
            'invariant',
            `Reference '${reference ?? ''}' does not resolve to an entry of the message Bundle`,
            `${at(i)}.reference`,
          ),
        );
      else if (!allowed.includes(target.resourceType))
        issues.push(
          issue('structure', `${at(i)} must refer to ${allowed.join(' or ')}, found ${target.resourceType}`, at(i)),
        );
    });
  }
  return issues;
}

/** A primitive code, a Coding or a CodeableConcept, as codings (a bare code takes the binding's only system). */
function codingsOf(value: unknown): { system?: string; code?: string }[] {
  if (typeof value === 'string') return [{ code: value }];
  const v = value as { coding?: { system?: string; code?: string }[]; system?: string; code?: string };
  return v.coding ?? [v];
}

function matchesPattern(value: unknown, pattern: unknown): boolean {
  if (Array.isArray(pattern)) {
    return Array.isArray(value) && pattern.every((p) => value.some((v) => matchesPattern(v, p)));
  }
  if (pattern && typeof pattern === 'object') {
    if (!value || typeof value !== 'object') return false;
    return Object.entries(pattern as Record<string, unknown>).every(([k, p]) =>
      matchesPattern((value as Record<string, unknown>)[k], p),
    );
  }
  return value === pattern;
}

function describePattern(pattern: unknown): string {
  return JSON.stringify(pattern);
}
