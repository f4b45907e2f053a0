import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Each file runs in its own process: an integration file starts one local hub, whose handlers read their
    // configuration at import as Lambdas do.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    env: {
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      // The hubs the tests start record where they listen here, never in the user's .local-hub.json.
      LOCAL_HUB_RECORD: join(tmpdir(), `pcn-referral-hub-tests-${process.pid}.json`),
    },
  },
});
