import { constants } from 'node:fs';
import { access, readdir } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { ServiceError, THREE_WAYS_TO_FIX } from './service-error.ts';

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function findOnPath(name: string, searchPath: string): Promise<string | undefined> {
  for (const dir of searchPath.split(delimiter).filter(Boolean)) {
    const candidate = join(dir, name);
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** Debian installs PostgreSQL under /usr/lib/postgresql/<major>/bin without putting it on PATH. */
async function debianPostgresDirs(): Promise<string[]> {
  const root = '/usr/lib/postgresql';
  const majors = await readdir(root).catch(() => []);
  return majors
    .filter((m) => /^\d+$/.test(m))
    .sort((a, b) => Number(b) - Number(a))
    .map((m) => join(root, m, 'bin'));
}

export interface PostgresBinaries {
  readonly initdb: string;
  readonly postgres: string;
}

export async function findPostgresBinaries(
  binDir: string | undefined,
  searchPath: string,
): Promise<PostgresBinaries> {
  const dirs =
    binDir === undefined ? [...searchPath.split(delimiter), ...(await debianPostgresDirs())] : [binDir];
  for (const dir of dirs.filter(Boolean)) {
    const initdb = join(dir, 'initdb');
    const postgres = join(dir, 'postgres');
    if ((await isExecutable(initdb)) && (await isExecutable(postgres))) return { initdb, postgres };
  }
  throw new ServiceError(
    'SERVICES_BINARY_NOT_FOUND',
    `No initdb and postgres binaries found in ${binDir ?? 'PATH or /usr/lib/postgresql/*/bin'}.`,
    `Set HARNESS_POSTGRES_BIN_DIR to their folder, or:\n     ${THREE_WAYS_TO_FIX}`,
  );
}

export async function findRedisServer(explicit: string | undefined, searchPath: string): Promise<string> {
  const found = explicit === undefined ? await findOnPath('redis-server', searchPath) : explicit;
  if (found !== undefined && (await isExecutable(found))) return found;
  throw new ServiceError(
    'SERVICES_BINARY_NOT_FOUND',
    `No redis-server binary found ${explicit === undefined ? 'on PATH' : `at ${explicit}`}.`,
    `Set HARNESS_REDIS_SERVER to its path, or:\n     ${THREE_WAYS_TO_FIX}`,
  );
}
