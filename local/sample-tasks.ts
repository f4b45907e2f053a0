import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Hub } from '../core/hub.js';
import { ingestMessage } from '../core/services/ingest.js';
import { SAMPLE_PRACTICE } from './identities.js';
import { careHomeTaskMessage, type PatientDetails, referralMessage, responseMessage } from './sample-messages.js';

const DAY_MS = 86_400_000;

/** A valid NHS number (Modulus 11) from nine digits: the sample residents' numbers are made, not real. */
function nhsNumber(nineDigits: string): string {
  const sum = [...nineDigits].reduce((total, d, i) => total + Number(d) * (10 - i), 0);
  const check = (11 - (sum % 11)) % 11;
  if (check === 10) throw new Error(`${nineDigits} has no valid check digit`);
  return `${nineDigits}${check}`;
}

const resident = (n: number, family: string, given: string, postcode: string): PatientDetails => ({
  nhsNumber: nhsNumber(`99900000${n}`),
  family,
  given,
  birthDate: `19${30 + n}-0${(n % 9) + 1}-1${n % 10}`,
  postcode,
});

/**
 * A week of care-home work for `npm start`'s sample networks, as the practices and the care-home teams would have
 * sent it: some Tasks finished, some under way, two already overdue and one falling due within the first minute,
 * and a referral its receiver never answered. The deadline sweep escalates them as a new user watches.
 * Each sample in order: [days ago, practice, care home, due (ms from now), the care-home team's updates].
 */
const SAMPLES: [number, string, string, number, ('accepted' | 'in-progress' | 'completed')[]][] = [
  [7, 'Z9W003', 'Z9WC01', -3 * DAY_MS, ['accepted', 'in-progress', 'completed']],
  [6, SAMPLE_PRACTICE, 'Z9WC02', -1 * DAY_MS, ['accepted', 'in-progress', 'completed']],
  [5, 'Z9W003', 'Z9WC01', -2 * DAY_MS, ['accepted']], // overdue: accepted, never done
  [3, SAMPLE_PRACTICE, 'Z9WC02', -6 * 3600_000, []], // overdue: never picked up
  [2, 'Z9W003', 'Z9WC01', 30_000, ['accepted', 'in-progress']], // falls due half a minute after start
  [1, SAMPLE_PRACTICE, 'Z9WC02', 3 * DAY_MS, []],
  [0, 'Z9L004', 'Z9LC01', 5 * DAY_MS, ['accepted']],
];
const RESIDENTS = [
  resident(1, 'Ashworth', 'Margaret', 'MK13 9AB'),
  resident(2, 'Bennett', 'Harold', 'MK5 7AB'),
  resident(3, 'Chowdhury', 'Amina', 'MK13 9AD'),
  resident(4, 'Doyle', 'Patrick', 'MK5 7AD'),
  resident(5, 'Evans', 'Gwen', 'MK13 9AE'),
  resident(6, 'Fraser', 'Ian', 'MK5 7AE'),
  resident(7, 'Gill', 'Harjit', 'CV31 1ZA'),
];

/** Marks a data folder whose sample week was seeded: it is seeded once per data folder, however often restarted. */
const SEEDED_MARKER = 'sample-week-seeded';

/**
 * Seeds the samples once per data folder (an in-memory hub: when it holds no Task yet); returns how many messages it sent. The
 * marker is written first: a hub stopped while seeding keeps a part of the week rather than gaining a second one.
 */
export async function seedSampleTasks(hub: Hub, dataDir?: string): Promise<number> {
  if (dataDir) {
    const marker = join(dataDir, SEEDED_MARKER);
    if (existsSync(marker)) return 0;
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(marker, `${new Date().toISOString()}\n`);
  }
  // A folder seeded before the marker existed.
  if ((await hub.store.listTasks(undefined, 1)).items.length > 0) return 0;
  const now = Date.now();
  let sent = 0;
  const send = async (body: unknown, caller: string, correlationId: string, at: number) => {
    await ingestMessage(
      { ...hub, clock: { now: () => new Date(at) } },
      {
        body,
        requestId: crypto.randomUUID(),
        correlationId,
        caller: { organisation: caller, ops: false, roles: ['sender', 'receiver'] },
      },
    );
    sent++;
  };
  for (const [i, [daysAgo, practice, careHome, dueIn, updates]] of SAMPLES.entries()) {
    const requestedAt = now - daysAgo * DAY_MS - 3600_000;
    const task = careHomeTaskMessage({
      senderOds: practice,
      careHome,
      category: i % 2 ? 'care-home-mdt' : 'enhanced-health-in-care-homes',
      due: new Date(now + dueIn).toISOString(),
      patient: RESIDENTS[i]!,
    });
    const correlationId = crypto.randomUUID();
    await send(task, practice, correlationId, requestedAt);
    const owner = (await hub.store.get(task.id!))!.destination.organisation;
    for (const [step, status] of updates.entries()) {
      const update = responseMessage({
        receiverOds: owner,
        originalMessageId: task.id!,
        event: 'task-update',
        taskStatus: status,
      });
      await send(update, owner, correlationId, requestedAt + (step + 1) * 3600_000);
    }
  }
  // A referral to social prescribing six days ago that nobody answered: its sender is told.
  const referral = referralMessage({ senderOds: SAMPLE_PRACTICE, category: 'social-prescribing' });
  await send(referral, SAMPLE_PRACTICE, crypto.randomUUID(), now - 6 * DAY_MS);
  return sent;
}
