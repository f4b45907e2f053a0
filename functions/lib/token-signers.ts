import { createPublicKey } from 'node:crypto';
import { GetPublicKeyCommand, type KMSClient, SignCommand } from '@aws-sdk/client-kms';
import { base64url, calculateJwkThumbprint, exportJWK, importJWK, type JSONWebKeySet, type JWK, SignJWT } from 'jose';
import type { HubTokenClaims, TokenSigner } from '../../core/identity/identity-ports.js';
import { HUB_TOKEN_ALGORITHM } from '../../core/identity/tokens.js';

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi'];

/** The public half of a private JWK, with its thumbprint as key id. */
async function publicJwkOf(privateJwk: JWK): Promise<JWK> {
  const publicJwk = Object.fromEntries(Object.entries(privateJwk).filter(([k]) => !PRIVATE_MEMBERS.includes(k)));
  return { ...publicJwk, kid: await calculateJwkThumbprint(publicJwk), alg: HUB_TOKEN_ALGORITHM, use: 'sig' };
}

/** Signs with a private key the hub holds (the local hub's, generated into its data directory at first start). */
export class KeyPairSigner implements TokenSigner {
  private readonly publicJwk: Promise<JWK>;
  private readonly key: ReturnType<typeof importJWK>;

  constructor(privateJwk: JWK) {
    this.publicJwk = publicJwkOf(privateJwk);
    this.key = importJWK(privateJwk, HUB_TOKEN_ALGORITHM);
  }

  async sign(claims: HubTokenClaims): Promise<string> {
    const { kid } = await this.publicJwk;
    return new SignJWT(claims).setProtectedHeader({ alg: HUB_TOKEN_ALGORITHM, typ: 'JWT', kid }).sign(await this.key);
  }

  async publicKeys(): Promise<JSONWebKeySet> {
    return { keys: [await this.publicJwk] };
  }
}

/**
 * Signs with an asymmetric KMS key (RSA, RSASSA-PKCS1-v1_5 SHA-256, which is JWS RS256): the private key never leaves
 * KMS. The public key is read once per container; KMS's signature is the JWS signature as it stands.
 */
export class KmsSigner implements TokenSigner {
  private publicJwk: Promise<JWK> | undefined;

  constructor(
    private readonly kms: KMSClient,
    private readonly keyId: string,
  ) {}

  private jwk(): Promise<JWK> {
    this.publicJwk ??= this.kms.send(new GetPublicKeyCommand({ KeyId: this.keyId })).then(async ({ PublicKey }) => {
      if (!PublicKey) throw new Error(`KMS key ${this.keyId} has no public key`);
      const jwk = await exportJWK(createPublicKey({ key: Buffer.from(PublicKey), format: 'der', type: 'spki' }));
      return { ...jwk, kid: await calculateJwkThumbprint(jwk), alg: HUB_TOKEN_ALGORITHM, use: 'sig' };
    });
    return this.publicJwk;
  }

  async sign(claims: HubTokenClaims): Promise<string> {
    const { kid } = await this.jwk();
    const header = { alg: HUB_TOKEN_ALGORITHM, typ: 'JWT', kid };
    const signingInput = `${base64url.encode(JSON.stringify(header))}.${base64url.encode(JSON.stringify(claims))}`;
    const { Signature } = await this.kms.send(
      new SignCommand({
        KeyId: this.keyId,
        Message: Buffer.from(signingInput),
        MessageType: 'RAW',
        SigningAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_256',
      }),
    );
    if (!Signature) throw new Error('KMS returned no signature');
    return `${signingInput}.${base64url.encode(Signature)}`;
  }

  async publicKeys(): Promise<JSONWebKeySet> {
    return { keys: [await this.jwk()] };
  }
}
