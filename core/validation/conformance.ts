import type {
  CapabilityStatement,
  CodeSystem,
  Coding,
  ElementDefinition,
  MessageDefinition,
  StructureDefinition,
  ValueSet,
} from 'fhir/r4';
import conformanceResources from '../../fhir-profiles/generated/hub-conformance.json' with { type: 'json' };
import { HUB_CANONICAL } from '../fhir/systems.js';

/** The hub's conformance resources (fhir-profiles/), indexed for the validator and the metadata endpoint. */
export interface Conformance {
  structureDefinitions: Map<string, StructureDefinition>;
  /** The hub's own message definitions: what it validates a message against. */
  messageDefinitions: MessageDefinition[];
  /** BaRS's message definitions (NHS England's, unchanged) of the messages the hub accepts and sends. */
  barsMessageDefinitions: MessageDefinition[];
  capabilityStatement: CapabilityStatement;
  /** value set url -> "system|code" members */
  valueSetMembers: Map<string, Set<string>>;
  codeSystems: Map<string, CodeSystem>;
}

export function indexConformance(resources: readonly unknown[]): Conformance {
  const structureDefinitions = new Map<string, StructureDefinition>();
  const codeSystems = new Map<string, CodeSystem>();
  const valueSets: ValueSet[] = [];
  const messageDefinitions: MessageDefinition[] = [];
  const barsMessageDefinitions: MessageDefinition[] = [];
  let capabilityStatement: CapabilityStatement | undefined;
  for (const resource of resources as (
    | StructureDefinition
    | CodeSystem
    | ValueSet
    | MessageDefinition
    | CapabilityStatement
  )[]) {
    switch (resource.resourceType) {
      case 'StructureDefinition':
        structureDefinitions.set(resource.url, resource);
        break;
      case 'CodeSystem':
        codeSystems.set(resource.url ?? '', resource);
        break;
      case 'ValueSet':
        valueSets.push(resource);
        break;
      case 'MessageDefinition':
        (resource.url?.startsWith(HUB_CANONICAL) ? messageDefinitions : barsMessageDefinitions).push(resource);
        break;
      case 'CapabilityStatement':
        capabilityStatement = resource;
        break;
    }
  }
  if (!capabilityStatement) throw new Error('fhir-profiles has no CapabilityStatement');
  const valueSetMembers = new Map<string, Set<string>>();
  for (const valueSet of valueSets) {
    const members = new Set<string>();
    for (const include of valueSet.compose?.include ?? []) {
      const concepts = include.concept ?? codeSystems.get(include.system ?? '')?.concept ?? [];
      for (const concept of concepts) members.add(`${include.system}|${concept.code}`);
    }
    valueSetMembers.set(valueSet.url ?? '', members);
  }
  return {
    structureDefinitions,
    messageDefinitions,
    barsMessageDefinitions,
    capabilityStatement,
    valueSetMembers,
    codeSystems,
  };
}

/** Loaded once per process (module scope): a few dozen small resources. */
export const hubConformance: Conformance = indexConformance(conformanceResources);

/** A bare code (no system, as in a `code` element) matches the value set's member of that code in any system. */
export function isInValueSet(
  conformance: Conformance,
  valueSetUrl: string,
  coding: Pick<Coding, 'system' | 'code'>,
): boolean {
  const members = conformance.valueSetMembers.get(valueSetUrl);
  if (!members || coding.code === undefined) return false;
  if (coding.system !== undefined) return members.has(`${coding.system}|${coding.code}`);
  for (const member of members) if (member.endsWith(`|${coding.code}`)) return true;
  return false;
}

export function messageDefinitionFor(
  conformance: Conformance,
  eventCoding: Coding | undefined,
): MessageDefinition | undefined {
  return conformance.messageDefinitions.find(
    (d) => d.eventCoding?.system === eventCoding?.system && d.eventCoding?.code === eventCoding?.code,
  );
}

/** The MessageHeader profile is the one whose eventCoding pattern names the event. */
export function headerProfileFor(conformance: Conformance, eventCoding: Coding): StructureDefinition | undefined {
  for (const sd of conformance.structureDefinitions.values()) {
    if (sd.type !== 'MessageHeader') continue;
    const pattern = sd.differential?.element.find(
      (e: ElementDefinition) => e.path === 'MessageHeader.eventCoding',
    )?.patternCoding;
    if (pattern?.system === eventCoding.system && pattern?.code === eventCoding.code) return sd;
  }
  return undefined;
}
