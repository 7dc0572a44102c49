import { ExitCode } from '../errors/exit-codes.ts';
import { HarnessError } from '../errors/harness-error.ts';

export type ServiceErrorCode =
  | 'SERVICES_UNAVAILABLE'
  | 'SERVICES_EXTERNAL_URL_MISSING'
  | 'SERVICES_RUNTIME_UNAVAILABLE'
  | 'SERVICES_BINARY_NOT_FOUND'
  | 'SERVICES_START_FAILED'
  | 'SERVICES_START_TIMEOUT'
  | 'SERVICES_UNREACHABLE'
  | 'SERVICES_REFUSED';

export class ServiceError extends HarnessError {
  declare readonly code: ServiceErrorCode;

  constructor(code: ServiceErrorCode, message: string, hint: string, options?: { cause?: unknown }) {
    super(code, message, hint, { ...options, exitCode: ExitCode.service });
  }
}

export const THREE_WAYS_TO_FIX = [
  '1. set DATABASE_URL and REDIS_URL to running servers (HARNESS_SERVICES=external), or',
  '2. start a container runtime (dockerd; images given by HARNESS_POSTGRES_IMAGE / HARNESS_REDIS_IMAGE), or',
  '3. install local binaries: apt-get install postgresql redis-server (HARNESS_SERVICES=local).',
].join('\n     ');
