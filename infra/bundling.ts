/**
 * How each Lambda is bundled: the CDK construct (infra/constructs/functions.ts) and the benchmark (bench/bundles.ts)
 * both use these, so the bundle the benchmark measures is the one deployed.
 */
export const LAMBDA_BUNDLING = {
  target: 'node24', // the Lambda runtime's Node major (infra/constructs/functions.ts), on which the tests also run
  minify: true,
  mainFields: ['module', 'main'],
  // CommonJS dependencies inside an ESM bundle still call require().
  banner:
    "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  /** The Lambda Node.js runtime provides the AWS SDK v3: never bundled. */
  external: ['@aws-sdk/*'],
} as const;
