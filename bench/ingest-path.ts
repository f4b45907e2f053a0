import {
  type DynamoDBDocumentClient,
  PutCommand,
  type PutCommandInput,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { createHub } from '../core/hub.js';
import { inMemoryDirectory } from '../core/in-memory-directory.js';
import { DEFAULT_DELIVERY_POLICY } from '../core/lifecycle/delivery-policy.js';
import type { NetworkDefinition } from '../core/routing/network.js';
import { CursorCodec } from '../functions/lib/cursors.js';
import { DynamoMessageStore } from '../functions/lib/message-store/dynamo-message-store.js';
import { givenSecret } from '../functions/lib/secrets.js';
import { LOCAL_HUB_ODS, LOCAL_OPS_ODS } from '../local/identities.js';

/**
 * The ingest path as the benchmark times it: bench/ingest-cost.ts bundles this module as the ingest Lambda is
 * bundled (infra/bundling.ts), so the code timed is the code deployed.
 */
export { ingestMessage } from '../core/services/ingest.js';

/**
 * A hub whose ports do no I/O: the store builds its DynamoDB requests and stops there, with their values marshalled
 * as the document client would (a low-level command arrives marshalled).
 */
export function hubWithoutIo(networks: NetworkDefinition[]) {
  const itemOnly = {
    send: async (command: object) => {
      if (command instanceof PutCommand || command instanceof UpdateCommand) {
        const { Item, Key, ExpressionAttributeValues } = command.input as Partial<PutCommandInput & UpdateCommandInput>;
        for (const values of [Item, Key, ExpressionAttributeValues])
          if (values) marshall(values, { removeUndefinedValues: true });
      }
      return {};
    },
  } as unknown as DynamoDBDocumentClient;
  return createHub(
    {
      hub: { odsCode: LOCAL_HUB_ODS, name: 'Bench hub', baseUrl: 'https://hub.example.org' },
      policy: DEFAULT_DELIVERY_POLICY,
      opsOrganisations: [LOCAL_OPS_ODS],
    },
    {
      store: new DynamoMessageStore(
        itemOnly,
        { messages: 'messages', bodies: 'message-bodies' },
        new CursorCodec(givenSecret('bench-cursor-key-16')),
        async (n) => `key:${n}`,
      ),
      queue: { enqueue: async () => undefined, retryAfter: async () => undefined, depth: async () => 0 },
      directory: inMemoryDirectory(networks),
      transport: { push: async () => ({ status: 202, detail: 'bench' }) },
      operations: {
        addTraffic: async () => undefined,
        readTraffic: async () => [],
        raiseAlert: async () => false,
        clearAlert: async () => false,
        acknowledgeAlert: async () => false,
        markOnce: async () => false,
        listAlerts: async () => ({ items: [] }),
        countOpenAlerts: async () => 0,
        getAlert: async () => undefined,
      },
      identity: {} as never, // no token is issued or checked in-process
    },
  );
}
