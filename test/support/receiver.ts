import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A scripted 'answer' that never comes: the connection is held open, then dropped. */
export const HANG = -1;
/** How long a hanging receiver holds the connection (longer than the hub's push timeout in tests). */
const HANG_MS = 10_000;
/** How long a hanging receiver holds the connection when told to (HANG_SHORT): past a push timeout of 1 s. */
export const HANG_SHORT = -2;
const HANG_SHORT_MS = 1500;

export interface ReceivedPush {
  path: string;
  bundleId: string;
  requestId: string;
  correlationId: string;
  answered: number;
  body: any;
}

/**
 * A receiver's FHIR endpoint the test controls: each path answers with the statuses queued for it (then the
 * default), and every push is recorded.
 */
export class TestReceiver {
  readonly received: ReceivedPush[] = [];
  private readonly scripts = new Map<string, number[]>();
  private readonly defaults = new Map<string, number>();
  private readonly chances = new Map<string, () => number>();
  private server: Server | undefined;
  origin = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const path = new URL(req.url ?? '/', 'http://x').pathname.replace(/\/\$process-message$/, '');
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
        const status = this.scripts.get(path)?.shift() ?? this.chances.get(path)?.() ?? this.defaults.get(path) ?? 200;
        const hangs = status === HANG || status === HANG_SHORT;
        this.received.push({
          path,
          bundleId: body.id,
          requestId: String(req.headers['x-request-id']),
          correlationId: String(req.headers['x-correlation-id']),
          answered: hangs ? HANG : status,
          body,
        });
        if (hangs) {
          setTimeout(() => res.destroy(), status === HANG ? HANG_MS : HANG_SHORT_MS).unref();
          return;
        }
        res.writeHead(status, { 'content-type': 'application/fhir+json' });
        res.end(
          JSON.stringify(
            status < 300
              ? { resourceType: 'OperationOutcome', issue: [{ severity: 'information', code: 'informational' }] }
              : { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'processing' }] },
          ),
        );
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', () => resolve()));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** The next answers at this path, in order; afterwards the default. */
  answer(path: string, ...statuses: number[]): void {
    this.scripts.set(path, statuses);
  }

  byDefault(path: string, status: number): void {
    this.defaults.set(path, status);
  }

  /** Each answer at this path chosen afresh (e.g. a receiver that fails one time in five); none: back to default. */
  byChance(path: string, pick?: () => number): void {
    if (pick) this.chances.set(path, pick);
    else this.chances.delete(path);
  }

  pushesOf(bundleId: string): ReceivedPush[] {
    return this.received.filter((r) => r.bundleId === bundleId);
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server?.close(() => resolve());
      this.server?.closeAllConnections();
    });
  }
}
