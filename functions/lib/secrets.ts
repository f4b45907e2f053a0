import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/** A secret the hub needs, read when first used (then kept for the container's life), never from its environment. */
export type SecretSource = () => Promise<string>;

/** A secret the caller already holds (the local hub's, a test's). */
export const givenSecret =
  (value: string): SecretSource =>
  async () =>
    value;

/**
 * A Secrets Manager secret, read at run time by the function that uses it, at its first use, and cached for the
 * container's life (a failed read is tried again at the next use). Its value never enters the Lambda's configuration.
 */
export function secretsManagerSecret(client: SecretsManagerClient, secretId: string): SecretSource {
  let value: Promise<string> | undefined;
  return () => {
    value ??= client.send(new GetSecretValueCommand({ SecretId: secretId })).then(({ SecretString }) => {
      if (!SecretString) throw new Error(`Secret ${secretId} has no string value`);
      return SecretString;
    });
    value.catch(() => {
      value = undefined;
    });
    return value;
  };
}
