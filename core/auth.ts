import { ForbiddenError, issue, UnauthorizedError } from './errors.js';

/**
 * Who may do what. A client (a system) or a user (a person) is bound to one organisation and to roles:
 * - sender: a practice's system or staff: sends referrals and Tasks, cancels them, reads its answers;
 * - receiver: a receiving service: reads its mailbox, answers and updates what was delivered to it;
 * - ops: hub operations staff (only in an ops organisation): sees every message, replays failures.
 */
export const ROLES = ['sender', 'receiver', 'ops'] as const;
export type Role = (typeof ROLES)[number];

export const isRole = (value: unknown): value is Role => ROLES.includes(value as Role);

/** Who is calling: from the hub's access token, verified before any operation runs. */
export interface Caller {
  /** ODS code of the organisation the caller acts for. */
  organisation?: string;
  roles: readonly Role[];
  /** Hub operations staff: may read every message and replay failures. */
  ops: boolean;
  /** The client id or user id: named in the access log and in the timeline of what it did. */
  subject?: string;
}

export const ANONYMOUS: Caller = { roles: [], ops: false };

export function requireOrganisation(caller: Caller): string {
  if (!caller.organisation)
    throw new UnauthorizedError('Caller unknown', [
      issue(
        'login',
        'Sign in first: send "Authorization: Bearer <access token>" (a token from POST /oauth2/token)',
        'Authorization',
      ),
    ]);
  return caller.organisation;
}

/** The caller must hold one of `roles` (each refusal names the roles needed and those held). */
export function requireRole(caller: Caller, roles: readonly Role[], what: string): void {
  requireOrganisation(caller);
  if (roles.some((role) => caller.roles.includes(role))) return;
  throw new ForbiddenError('Role required', [
    issue(
      'forbidden',
      `${what} needs the role ${roles.join(' or ')}; this caller holds ${caller.roles.join(', ') || 'no role'}`,
    ),
  ]);
}

export function requireOps(caller: Caller): void {
  requireRole(caller, ['ops'], 'This');
}

/** How the timeline names who did something: the organisation, and the client or user within it. */
export const actor = (caller: Caller) =>
  caller.subject ? `${caller.organisation} (${caller.subject})` : `${caller.organisation}`;
