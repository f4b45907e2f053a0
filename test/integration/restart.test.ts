import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { referralMessage } from '../../local/sample-messages.js';
import { eventually, messageStatus, sendMessage } from '../support/http.js';
import { crash, startHubProcess } from '../support/hub-process.js';
import { networkPushingTo } from '../support/networks.js';
import { TestReceiver } from '../support/receiver.js';

const NORTH = 'Z8T001';

/** `npm start` as a separate process (the way a user runs it), on a data folder that outlives it. */
function startHub(dataDir: string, networksFile: string, fresh: boolean) {
  return startHubProcess(
    ['local/start.ts', '--data-dir', dataDir, '--networks', networksFile, ...(fresh ? ['--fresh'] : [])],
    {
      PORT: '0',
      RECEIVERS_PORT: '0',
      DELIVERY_MAX_ATTEMPTS: '20',
      DELIVERY_BASE_DELAY_SECONDS: '1',
      DELIVERY_MAX_DELAY_SECONDS: '1',
      PUSH_TIMEOUT_MS: '2000',
    },
  );
}

describe('a hub restart in the middle of deliveries', () => {
  const receiver = new TestReceiver();
  let dataDir = '';
  let networksFile = '';
  let second: ChildProcess | undefined;

  beforeAll(async () => {
    await receiver.start();
    dataDir = mkdtempSync(join(tmpdir(), 'hub-restart-'));
    networksFile = join(dataDir, 'network.json');
    writeFileSync(networksFile, JSON.stringify(networkPushingTo(receiver.origin)));
  });
  afterAll(async () => {
    if (second?.exitCode === null) second.kill('SIGKILL');
    await receiver.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('loses no message: what was accepted before a crash is delivered after the restart', async () => {
    // Prepare: the receiver is down, so deliveries are pending (retrying, some mid-attempt) when the hub dies.
    receiver.byDefault('/community', 503);
    const first = await startHub(join(dataDir, 'db'), networksFile, true);
    const pushes = Array.from({ length: 5 }, () =>
      referralMessage({ senderOds: NORTH, category: 'community-nursing' }),
    );
    const mailbox = Array.from({ length: 2 }, () =>
      referralMessage({ senderOds: NORTH, category: 'social-prescribing' }),
    );
    for (const bundle of [...pushes, ...mailbox])
      expect((await sendMessage(first.baseUrl, bundle, { sender: NORTH })).status).toBe(202);
    await eventually(async () => pushes.every((b) => receiver.pushesOf(b.id!).length > 0), Boolean);

    // Act: crash the hub (its in-memory queue is lost), bring the receiver back, start the hub again on the same data.
    await crash(first.child);
    receiver.byDefault('/community', 200);
    const restarted = await startHub(join(dataDir, 'db'), networksFile, false);
    second = restarted.child;

    // Assess: every accepted message reaches its receiver.
    for (const bundle of pushes) {
      const record = await eventually(
        () => messageStatus(restarted.baseUrl, bundle.id!, NORTH),
        (r) => r.status === 'delivered',
        30_000,
      );
      expect(record.timeline.some((e) => e.type === 'requeued')).toBe(true);
      expect(receiver.pushesOf(bundle.id!).some((p) => p.answered === 200)).toBe(true);
    }
    for (const bundle of mailbox) {
      expect(
        (
          await eventually(
            () => messageStatus(restarted.baseUrl, bundle.id!, NORTH),
            (r) => r.status === 'in-mailbox',
            30_000,
          )
        ).destination.organisation,
      ).toBe('Z8T101');
    }
  });

  it('stops cleanly on Ctrl-C (SIGINT)', async () => {
    expect(second).toBeDefined();
    const exitCode = await new Promise<number | null>((resolve) => {
      second!.once('exit', (code) => resolve(code));
      second!.kill('SIGINT');
    });
    expect(exitCode).toBe(0);
  });
});
