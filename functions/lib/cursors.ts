import { createHmac, timingSafeEqual } from 'node:crypto';
import { BadRequestError, issue } from '../../core/errors.js';
import type { SecretSource } from './secrets.js';

/**
 * Paging cursors the hub hands out: the position (a DynamoDB start key) with an HMAC over it, so a caller can pass
 * a cursor back but never choose or alter a start key. One key per deployment; changing it only ends open paging.
 */
export class CursorCodec {
  constructor(private readonly key: SecretSource) {}

  async seal(position: unknown): Promise<string> {
    const payload = Buffer.from(JSON.stringify(position)).toString('base64url');
    return `${payload}.${await this.mac(payload)}`;
  }

  /** The position a cursor holds; 400 for any cursor the hub did not hand out (or that was changed). */
  async open<T>(cursor: string): Promise<T> {
    const [payload = '', mac = '', extra] = cursor.split('.');
    const expected = Buffer.from(await this.mac(payload));
    const given = Buffer.from(mac);
    if (extra === undefined && payload && given.length === expected.length && timingSafeEqual(given, expected)) {
      return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as T;
    }
    throw new BadRequestError('Bad cursor', [
      issue('invalid', 'cursor must be the "next" value of a previous page, unchanged', 'cursor'),
    ]);
  }

  private async mac(payload: string): Promise<string> {
    const key = await this.key();
    if (key.length < 16) throw new Error('The cursor key must be at least 16 characters');
    return createHmac('sha256', key).update(payload).digest('base64url');
  }
}
