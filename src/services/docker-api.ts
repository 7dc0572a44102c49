import { request } from 'node:http';

/** Where the Docker Engine API listens: a unix socket or a TCP host:port. */
export type DockerEndpoint =
  { readonly socketPath: string } | { readonly host: string; readonly port: number };

export function dockerEndpoint(dockerHost: string | undefined): DockerEndpoint {
  if (dockerHost === undefined) return { socketPath: '/var/run/docker.sock' };
  if (dockerHost.startsWith('unix://')) return { socketPath: dockerHost.slice('unix://'.length) };
  const url = new URL(dockerHost.replace(/^tcp:/, 'http:'));
  return { host: url.hostname, port: Number(url.port || 2375) };
}

export function describeEndpoint(endpoint: DockerEndpoint): string {
  return 'socketPath' in endpoint
    ? `unix://${endpoint.socketPath}`
    : `tcp://${endpoint.host}:${endpoint.port}`;
}

export interface DockerResponse {
  readonly status: number;
  readonly body: string;
}

/** One Engine API call, bounded by `timeoutMs` so that a dead socket never hangs the run. */
export function dockerRequest(
  endpoint: DockerEndpoint,
  method: string,
  path: string,
  timeoutMs: number,
): Promise<DockerResponse> {
  return new Promise((resolve, reject) => {
    const req = request({ ...endpoint, method, path, timeout: timeoutMs, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}
