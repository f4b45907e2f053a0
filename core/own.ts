/**
 * A record's own value for a key that came from outside (a message's element name, a resource type): never one
 * inherited from Object.prototype, so `constructor` or `__proto__` in a message is an unknown name like any other.
 */
export function own<T>(record: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}
