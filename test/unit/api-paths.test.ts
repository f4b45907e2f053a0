import { describe, expect, it } from 'vitest';
import { apiPath } from '../../web/src/api.js';

describe("the web app's requests, built from the API's contract (core/api/routes.ts)", () => {
  it('fills in path parameters, encoded, and appends the query parameters given', () => {
    expect(apiPath('GET /messages/{id}', { id: 'a b/c' })).toBe('/messages/a%20b%2Fc');
    expect(apiPath('GET /messages', { box: 'received', _count: 20, cursor: 'open:x.y' })).toBe(
      '/messages?box=received&_count=20&cursor=open%3Ax.y',
    );
    expect(apiPath('POST /messages/{id}/$replay', { id: 'm1' })).toBe('/messages/m1/$replay');
  });

  it('leaves out a query parameter with no value', () => {
    expect(apiPath('GET /messages', { status: '', cursor: undefined, overdue: true })).toBe('/messages?overdue=true');
  });

  it('refuses at compile time a query parameter the route does not understand, or a missing path parameter', () => {
    // @ts-expect-error GET /mailbox understands cursor and _count only
    expect(apiPath('GET /mailbox', { status: 'failed' })).toBe('/mailbox?status=failed');
    // @ts-expect-error the message's id is required
    expect(() => apiPath('GET /messages/{id}', {})).not.toThrow();
  });
});
