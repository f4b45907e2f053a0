import type { ServiceRequest } from 'fhir/r4';
import { describe, expect, it } from 'vitest';
import { NotSupportedError } from '../../core/errors.js';
import { SYSTEMS } from '../../core/fhir/systems.js';
import { checkNetworkDefinition, type NetworkDefinition } from '../../core/routing/network.js';
import { compileNetwork, resolveRoute } from '../../core/routing/resolve.js';
import { HUB_CATEGORIES, requestedService } from '../../core/routing/routing-context.js';
import { networkFiles, readNetworkDefinitions, SAMPLE_NETWORKS_DIR } from '../../local/network-files.js';

const AT = new Date('2026-12-05T10:00:00Z');
const watling = () =>
  structuredClone(
    readNetworkDefinitions(networkFiles([SAMPLE_NETWORKS_DIR])).find((n) => n.id === 'watling-street-pcn')!,
  );

/** A BaRS referral's ServiceRequest naming its use case as BaRS senders do: category referral + the use case. */
const barsRequest = (useCase: string, extra: Partial<ServiceRequest> = {}): ServiceRequest => ({
  resourceType: 'ServiceRequest',
  status: 'active',
  intent: 'plan',
  subject: { reference: 'urn:uuid:p' },
  category: [
    {
      coding: [
        { system: 'https://fhir.nhs.uk/CodeSystem/message-category-servicerequest', code: 'referral' },
        { system: SYSTEMS.barsUseCase, code: useCase },
      ],
    },
  ],
  ...extra,
});

describe('a BaRS use case names the service asked for', () => {
  it.each([['a5t1'], ['a5t2'], ['a5t3']])(
    '%s (GP practice to community pharmacy) asks for community-pharmacy',
    (useCase) => {
      expect(requestedService(barsRequest(useCase), HUB_CATEGORIES, 'ServiceRequest')).toEqual({
        category: 'community-pharmacy',
        useCase,
      });
    },
  );

  it('a hub category the request also names is the one routed by, the use case kept beside it', () => {
    const request = barsRequest('a5t1');
    request.category!.push({ coding: [{ system: SYSTEMS.hubServiceCategory, code: 'clinical-pharmacist' }] });
    expect(requestedService(request, HUB_CATEGORIES, 'ServiceRequest')).toEqual({
      category: 'clinical-pharmacist',
      useCase: 'a5t1',
    });
  });

  it('a use case no PCN service takes is not supported (422), naming it and what the network offers', () => {
    const refuse = () => requestedService(barsRequest('a1t5'), HUB_CATEGORIES, 'Bundle.entry[1].resource', ['a5t1']);
    expect(refuse).toThrow(NotSupportedError);
    try {
      refuse();
    } catch (error) {
      const refusal = error as NotSupportedError;
      expect(refusal.status).toBe(422);
      expect(refusal.barsCode).toBe('REC_UNPROCESSABLE_ENTITY');
      expect(refusal.issues[0]).toMatchObject({
        code: 'not-supported',
        expression: 'Bundle.entry[1].resource.category',
        diagnostics:
          'BaRS use case a1t5 (999 to ED) is not a service this network offers; its use cases: a5t1 (Primary Care to Community Pharmacy)',
      });
    }
  });
});

describe('routing by BaRS use case', () => {
  it("goes to the network's service for the use case's category, by its rules", () => {
    const decision = resolveRoute(compileNetwork(watling()), {
      senderPractice: 'Z9W001',
      category: 'community-pharmacy',
      useCase: 'a5t2',
      at: AT,
    });
    expect(decision.service.id).toBe('watling-pharmacy');
  });

  it('refuses a service that does not take the use case (422 not supported), naming what it takes', () => {
    const network = watling();
    network.services.find((s) => s.id === 'watling-pharmacy')!.barsUseCases = ['a5t1'];
    const route = () =>
      resolveRoute(compileNetwork(network), {
        senderPractice: 'Z9W001',
        category: 'community-pharmacy',
        useCase: 'a5t3',
        at: AT,
      });
    expect(route).toThrow(NotSupportedError);
    expect(route).toThrow(
      expect.objectContaining({
        issues: [
          expect.objectContaining({
            code: 'not-supported',
            diagnostics: "Service 'Watling Pharmacy — Pharmacy First' does not take BaRS use case a5t3; it takes a5t1",
          }),
        ],
      }),
    );
  });

  it('lists the use cases each network offers, once each', () => {
    expect(compileNetwork(watling()).useCases).toEqual(['a5t1', 'a5t2', 'a5t3']);
  });
});

describe("a network file's BaRS use cases", () => {
  const problems = (edit: (n: NetworkDefinition) => void) => {
    const network = watling();
    edit(network);
    return checkNetworkDefinition(network, HUB_CATEGORIES);
  };
  const pharmacy = (n: NetworkDefinition) => n.services.find((s) => s.id === 'watling-pharmacy')!;

  it('are BaRS use cases the hub maps', () => {
    expect(problems((n) => (pharmacy(n).barsUseCases = ['zz9']))).toContainEqual({
      path: expect.stringMatching(/^\$\.services\[\d+\]\.barsUseCases\[0\]$/),
      message: "'zz9' is not a BaRS use case the hub maps to a service category",
    });
  });

  it('ask for a category the service provides', () => {
    expect(
      problems((n) => {
        const social = n.services.find((s) => s.id === 'mk-social-prescribing')!;
        social.barsUseCases = ['a5t1'];
      }),
    ).toContainEqual({
      path: expect.stringMatching(/barsUseCases\[0\]$/),
      message: "'a5t1' asks for 'community-pharmacy', which the service does not provide",
    });
  });

  it('are fine in the sample files', () => {
    expect(problems(() => {})).toEqual([]);
  });
});
