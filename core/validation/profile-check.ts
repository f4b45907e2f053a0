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
  const root: Located = { value: resource, parent: undefined, segment: resourcePath, index: undefined };
  for (const rule of elementsOf(profile)) {
    if (rule.name === undefined) {
      issues.push(...constraintIssues(resource, rule.element, resourcePath));
      continue;
    }
    for (const parent of valuesAt(root, rule.parentPath)) {
      const raw = (parent.value as Record<string, unknown>)[rule.name];
      const values = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
      checkElement(
        rule,
        values,
        { parent, name: rule.name, repeating: Array.isArray(raw) },
        bundle,
        conformance,
        issues,
      );
    }
  }
  return issues;
}

interface ProfileElement {
  element: ElementDefinition;
  /** The element's parent below the resource, as names; the element's own name (none for the resource itself). */
  parentPath: string[];
  name?: string;
  /** The resource types each Reference type of the element may point to. */
  referenceTargets: string[][];
}

/** Each profile's elements with their paths split and reference targets listed, once per process. */
const profileElements = new WeakMap<StructureDefinition, ProfileElement[]>();
function elementsOf(profile: StructureDefinition): ProfileElement[] {
  const known = profileElements.get(profile);
  if (known) return known;
  const elements = (profile.differential?.element ?? []).map((element): ProfileElement => {
    const segments = element.path.split('.').slice(1);
    const referenceTargets = (element.type ?? [])
      .filter((t) => t.code === 'Reference' && t.targetProfile)
      .map((t) => t.targetProfile!.map((p) => p.split('/').pop()!));
    return segments.length === 0
      ? { element, parentPath: [], referenceTargets }
      : { element, parentPath: segments.slice(0, -1), name: segments[segments.length - 1]!, referenceTargets };
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

/** A value inside the resource, and where it is: its location is spelled out only for an issue. */
interface Located {
  value: unknown;
  parent: Located | undefined;
  /** The element's name (the resource's own path at the root). */
  segment: string;
  /** Its index when the element repeats. */
  index: number | undefined;
}

/** FHIRPath location of a located value (arrays indexed). */
function locationOf(located: Located): string {
  const own = located.index === undefined ? located.segment : `${located.segment}[${located.index}]`;
  return located.parent ? `${locationOf(located.parent)}.${own}` : own;
}

/** Every object at a dotted path below the located value, each with where it is. */
function valuesAt(root: Located, segments: string[]): Located[] {
  let current: Located[] = [root];
  for (const segment of segments) {
    const next: Located[] = [];
    for (const parent of current) {
      const child = (parent.value as Record<string, unknown> | undefined)?.[segment];
      if (Array.isArray(child)) {
        for (let index = 0; index < child.length; index++) next.push({ value: child[index], parent, segment, index });
      } else if (child !== undefined && child !== null) next.push({ value: child, parent, segment, index: undefined });
    }
    current = next;
  }
  return current.filter((l) => typeof l.value === 'object');
}

/** Where an element's values are: below their parent, by name; repeating when the JSON holds an array. */
interface ElementPlace {
  parent: Located;
  name: string;
  repeating: boolean;
}

const elementLocation = (place: ElementPlace) => `${locationOf(place.parent)}.${place.name}`;
const valueLocation = (place: ElementPlace, i: number) =>
  place.repeating ? `${elementLocation(place)}[${i}]` : elementLocation(place);

/** The profile's rules for one element on its values, issues added to `issues`. */
function checkElement(
  rule: ProfileElement,
  values: unknown[],
  place: ElementPlace,
  bundle: MessageBundle,
  conformance: Conformance,
  issues: Issue[],
): void {
  const { element } = rule;
  if (element.min !== undefined && values.length < element.min) {
    const path = elementLocation(place);
    issues.push(issue('required', `${path} is required${element.short ? ` (${element.short})` : ''}`, path));
    return;
  }
  if (element.max !== undefined && element.max !== '*' && values.length > Number(element.max)) {
    const path = elementLocation(place);
    issues.push(issue('structure', `${path} may occur at most ${element.max} time(s), found ${values.length}`, path));
  }
  if (element.fixedCode !== undefined) {
    for (let i = 0; i < values.length; i++) {
      if (values[i] === element.fixedCode) continue;
      const at = valueLocation(place, i);
      issues.push(issue('value', `${at} must be '${element.fixedCode}', found '${String(values[i])}'`, at));
    }
  }
  const pattern = element.patternCoding ?? element.patternCodeableConcept ?? element.patternIdentifier;
  if (pattern !== undefined && values.length > 0 && !values.some((v) => matchesPattern(v, pattern))) {
    const path = elementLocation(place);
    issues.push(
      issue(
        element.patternCoding ? 'code-invalid' : 'value',
        `${path} must ${place.repeating ? 'include one ' : 'be '}matching ${describePattern(pattern)}`,
        path,
      ),
    );
  }
  if (element.binding?.strength === 'required' && element.binding.valueSet) {
    const valueSet = element.binding.valueSet;
    for (let i = 0; i < values.length; i++) {
      const codings = codingsOf(values[i]);
      if (codings.some((c) => isInValueSet(conformance, valueSet, c))) continue;
      const shown = codings.map((c) => c.code).join(', ') || String(values[i]);
      const at = valueLocation(place, i);
      issues.push(issue('code-invalid', `${at} has '${shown}', which is not in value set ${valueSet}`, at));
    }
  }
  for (const allowed of rule.referenceTargets) {
    for (let i = 0; i < values.length; i++) {
      const reference = (values[i] as { reference?: string }).reference;
      const target = resolveInBundle(bundle, reference)?.resource;
      if (target && allowed.includes(target.resourceType)) continue;
      const at = valueLocation(place, i);
      issues.push(
        target
          ? issue('structure', `${at} must refer to ${allowed.join(' or ')}, found ${target.resourceType}`, at)
          : issue(
              'invariant',
              `Reference '${reference ?? ''}' does not resolve to an entry of the message Bundle`,
              `${at}.reference`,
            ),
      );
    }
  }
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
