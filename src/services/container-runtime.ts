import { describeEndpoint, dockerEndpoint, dockerRequest, type DockerEndpoint } from './docker-api.ts';

export type RuntimeProbe =
  | { readonly ok: true; readonly endpoint: DockerEndpoint; readonly where: string }
  | { readonly ok: false; readonly where: string; readonly reason: string };

/** Asks the container runtime for /_ping, never waiting longer than `timeoutMs`. */
export async function probeContainerRuntime(
  dockerHost: string | undefined,
  timeoutMs: number,
): Promise<RuntimeProbe> {
  const endpoint = dockerEndpoint(dockerHost);
  const where = describeEndpoint(endpoint);
  try {
    const res = await dockerRequest(endpoint, 'GET', '/_ping', timeoutMs);
    if (res.status === 200) return { ok: true, endpoint, where };
    return { ok: false, where, reason: `/_ping answered HTTP ${res.status}` };
  } catch (error) {
    // No socket at all is the ordinary case on a machine without Docker: say so plainly.
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'not installed or not running' : (error as Error).message;
    return { ok: false, where, reason };
  }
}

/** Whether `image` is already in the runtime's local store (auto mode never pulls). */
export async function imagePresent(
  endpoint: DockerEndpoint,
  image: string,
  timeoutMs: number,
): Promise<boolean> {
  const res = await dockerRequest(endpoint, 'GET', `/images/${encodeURIComponent(image)}/json`, timeoutMs);
  return res.status === 200;
}

export async function removeContainer(
  endpoint: DockerEndpoint,
  id: string,
  timeoutMs: number,
): Promise<void> {
  await dockerRequest(
    endpoint,
    'DELETE',
    `/containers/${encodeURIComponent(id)}?force=true&v=true`,
    timeoutMs,
  );
}
