import { readFile } from 'node:fs/promises';

export interface SystemUser {
  readonly uid: number;
  readonly gid: number;
}

/** Looks a user up in /etc/passwd (PostgreSQL refuses to run as root, so we run it as `postgres`). */
export async function findSystemUser(name: string): Promise<SystemUser | undefined> {
  const passwd = await readFile('/etc/passwd', 'utf8').catch(() => '');
  for (const line of passwd.split('\n')) {
    const [user, , uid, gid] = line.split(':');
    if (user === name && uid !== undefined && gid !== undefined)
      return { uid: Number(uid), gid: Number(gid) };
  }
  return undefined;
}
