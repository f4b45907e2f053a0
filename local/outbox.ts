import type { Email, Mailer } from '../core/ports.js';
import type { Mount } from './http-server.js';

/** Where the local hub shows the emails it would have sent (the web app's "Emails sent" page reads it). */
export const LOCAL_OUTBOX_PATH = '/local/outbox';
/** Emails the local outbox keeps (the newest; it is for looking at, not an archive). */
const OUTBOX_KEPT = 200;

export interface CaughtEmail extends Email {
  at: string;
}

/**
 * The local stand-in for Amazon SES: the emails the hub sends teams are caught here, not sent, and shown at
 * LOCAL_OUTBOX_PATH (JSON, newest first) so they can be seen in the web app and checked by tests.
 */
export class LocalOutbox implements Mailer {
  readonly caught: CaughtEmail[] = [];

  async send(email: Email): Promise<void> {
    this.caught.unshift({ ...email, at: new Date().toISOString() });
    this.caught.length = Math.min(this.caught.length, OUTBOX_KEPT);
  }

  mount(): Mount {
    return {
      prefix: LOCAL_OUTBOX_PATH,
      handle: (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
        res.end(JSON.stringify({ emails: this.caught }));
      },
    };
  }
}
