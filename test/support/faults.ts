/**
 * Fault injection for a port: the given method fails on its Nth call (counting from 1), and on every later call
 * when `thereafter` is set; every other call goes to the real adapter. Handed to the hub through its composition
 * root (startLocalHub's `adapters`, or createHub directly).
 */
export function failingOn<T extends object>(
  port: T,
  method: keyof T & string,
  n: number,
  options: { thereafter?: boolean; error?: () => Error } = {},
): T & { calls: number } {
  let calls = 0;
  return new Proxy(port, {
    get(target, property, receiver) {
      if (property === 'calls') return calls;
      const value = Reflect.get(target, property, receiver);
      if (property !== method || typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls++;
        if (calls === n || (options.thereafter && calls > n)) {
          return Promise.reject(options.error?.() ?? new Error(`injected fault: ${method} call ${calls}`));
        }
        return value.apply(target, args);
      };
    },
  }) as T & { calls: number };
}

/**
 * A port whose given methods fail transiently at random (rate 0 to 1), as a throttled or briefly unreachable
 * DynamoDB or SQS does; `rate()` is read on each call, so a test can turn the faults off.
 */
export function flaky<T extends object>(
  port: T,
  methods: (keyof T & string)[],
  rate: () => number,
  random = Math.random,
): T {
  return new Proxy(port, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (!methods.includes(property as keyof T & string) || typeof value !== 'function') return value;
      return (...args: unknown[]) =>
        random() < rate()
          ? Promise.reject(new Error(`injected transient fault: ${String(property)}`))
          : value.apply(target, args);
    },
  });
}
