import { exportJWK, generateKeyPair, type JSONWebKeySet } from 'jose';
import type {
  AssertionLedger,
  ClientRegistry,
  HubTokenClaims,
  IdentityAdapters,
  RegisteredClient,
  RequestCounter,
  SessionLedger,
  SessionState,
  TokenSigner,
} from '../../core/identity/identity-ports.js';
import { HUB_TOKEN_ALGORITHM } from '../../core/identity/tokens.js';
import { KeyPairSigner } from '../../functions/lib/token-signers.js';

/** Registered clients, used assertions and request counts in memory. */
export class InMemoryIdentity implements ClientRegistry, AssertionLedger, RequestCounter, SessionLedger {
  /** Sessions: when last used, and whether ended. */
  readonly sessions = new Map<string, { lastUsed: Date; ended: boolean }>();

  async begin(sessionId: string, at: Date) {
    this.sessions.set(sessionId, { lastUsed: new Date(at), ended: false });
  }
  async use(sessionId: string, at: Date, idleSince: Date): Promise<SessionState> {
    const session = this.sessions.get(sessionId);
    if (!session || session.ended) return 'ended';
    if (session.lastUsed < idleSince) return 'idle';
    session.lastUsed = new Date(at);
    return 'live';
  }
  async end(sessionId: string) {
    const session = this.sessions.get(sessionId);
    if (session) session.ended = true;
  }

  readonly clients = new Map<string, RegisteredClient>();
  private readonly used = new Set<string>();
  private readonly counts = new Map<string, number>();

  async client(clientId: string) {
    return this.clients.get(clientId);
  }
  async register(client: RegisteredClient) {
    this.clients.set(client.clientId, client);
  }
  async firstUse(clientId: string, jti: string) {
    const key = `${clientId}\n${jti}`;
    if (this.used.has(key)) return false;
    this.used.add(key);
    return true;
  }
  async take(clientId: string, windowStart: Date, limit: number, _keepUntil: Date, permits: number) {
    const key = `${clientId}\n${windowStart.toISOString()}`;
    const count = this.counts.get(key) ?? 0;
    if (count + permits > limit) return false;
    this.counts.set(key, count + permits);
    return true;
  }
}

/** A hub signing key generated when first used (most unit tests never sign). */
class GeneratedKeySigner implements TokenSigner {
  private signer: Promise<KeyPairSigner> | undefined;
  private get ready() {
    this.signer ??= generateKeyPair(HUB_TOKEN_ALGORITHM, { extractable: true }).then(
      async ({ privateKey }) => new KeyPairSigner(await exportJWK(privateKey)),
    );
    return this.signer;
  }
  async sign(claims: HubTokenClaims) {
    return (await this.ready).sign(claims);
  }
  async publicKeys(): Promise<JSONWebKeySet> {
    return (await this.ready).publicKeys();
  }
}

export function inMemoryIdentity(): IdentityAdapters & { store: InMemoryIdentity } {
  const store = new InMemoryIdentity();
  return {
    store,
    clients: store,
    assertions: store,
    requests: store,
    sessions: store,
    signer: new GeneratedKeySigner(),
  };
}
