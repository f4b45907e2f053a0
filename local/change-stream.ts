import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type { MessageRecord } from '../core/lifecycle/message-record.js';
import type { MessageStore } from '../core/ports.js';
import { attributeValues } from '../functions/lib/attribute-values.js';
import { TRAFFIC_BATCH_SIZE } from '../functions/lib/lambdas.js';

/**
 * How long the local stream gathers changes before handing them on: shorter than the traffic function's batching
 * window on AWS (TRAFFIC_BATCH_WINDOW_SECONDS), so the local console moves within a second. As on AWS, a batch is
 * handed on early once it holds TRAFFIC_BATCH_SIZE changes.
 */
export const LOCAL_STREAM_BATCH_MS = 250;

type Consumer = (event: DynamoDBStreamEvent) => Promise<unknown>;

type StreamImage = NonNullable<NonNullable<DynamoDBRecord['dynamodb']>['NewImage']>;

/** An item image as the stream carries it: only the record attribute, which is all the traffic handler reads. */
const image = (record: Partial<MessageRecord>) => attributeValues({ record }) as unknown as StreamImage;

/**
 * The Messages table's stream, locally (dynalite has none): every successful write of the store becomes a stream
 * record (old image: the state the conditional write replaced; new image: the record written), handed in batches
 * to the same traffic handler the stream invokes on AWS.
 */
export class LocalChangeStream {
  private pending: DynamoDBRecord[] = [];
  private consumer: Consumer | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly report: (error: Error) => void,
    batchMs = LOCAL_STREAM_BATCH_MS,
  ) {
    this.timer = setInterval(() => void this.flush(), batchMs);
    this.timer.unref();
  }

  /** The store, with every successful create and update also sent down the stream. */
  observe(store: MessageStore): MessageStore {
    const push = (record: DynamoDBRecord) => {
      if (this.pending.push(record) % TRAFFIC_BATCH_SIZE === 0) void this.flush();
    };
    return Object.assign(Object.create(store) as MessageStore, {
      async create(...args: Parameters<MessageStore['create']>) {
        const result = await store.create(...args);
        if (result === 'created') push({ eventName: 'INSERT', dynamodb: { NewImage: image(args[0]) } });
        return result;
      },
      async update(...args: Parameters<MessageStore['update']>) {
        const [, change] = args;
        const after = await store.update(...args);
        if (after) {
          const outcome = change.outcome ? change.expect?.outcome : after.outcome;
          const before = {
            // A claim names the statuses it may come from: any of them was not yet delivered, which is what counts.
            status: change.expect?.status ?? change.expect?.statusIn?.[0] ?? after.status,
            ...(outcome && outcome !== 'none' ? { outcome } : {}),
          };
          push({ eventName: 'MODIFY', dynamodb: { OldImage: image(before), NewImage: image(after) } });
        }
        return after;
      },
    });
  }

  attach(consumer: Consumer) {
    this.consumer = consumer;
  }

  /** Hands every pending change to the consumer; resolves when it has taken them. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      // In batches of at most AWS's size, so the writes they merge into are as many as on AWS.
      while (this.consumer && this.pending.length > 0) {
        const Records = this.pending.splice(0, TRAFFIC_BATCH_SIZE);
        await this.consumer({ Records }).catch(this.report);
      }
    });
    return this.flushing;
  }

  async stop() {
    clearInterval(this.timer);
    await this.flush();
  }
}
