import { HarnessError } from '../errors/harness-error.ts';

/** A URL from a flag, else from the environment, else a clear error naming both. */
export function requireUrl(
  flag: string | undefined,
  fromEnv: string | undefined,
  envName: string,
  flagName: string,
): string {
  const url = flag ?? fromEnv;
  if (url !== undefined) return url;
  throw new HarnessError(
    'CLI_URL_MISSING',
    `No ${envName} given.`,
    `Set ${envName} or pass ${flagName} <url>.`,
  );
}
