/** Where a Redis Cluster is: its seed nodes and the one password every node takes. */
export interface ClusterTarget {
  readonly nodes: readonly { readonly host: string; readonly port: number }[];
  readonly username: string | undefined;
  readonly password: string | undefined;
}

/**
 * Reads `host:port,host:port,…`; an entry may be a redis:// URL carrying the credentials
 * (`redis://:PASSWORD@127.0.0.1:7000,127.0.0.1:7001`), which then hold for every node.
 * Returns why the text is not a node list instead of throwing, so callers name their own key.
 */
export function parseClusterTarget(text: string): ClusterTarget | { readonly problem: string } {
  const nodes: { host: string; port: number }[] = [];
  let username: string | undefined;
  let password: string | undefined;
  for (const entry of text.split(',').map((e) => e.trim())) {
    let url: URL;
    try {
      url = new URL(entry.includes('://') ? entry : `redis://${entry}`);
    } catch {
      return { problem: notNodes(entry) };
    }
    const port = Number(url.port);
    if (url.protocol !== 'redis:' || url.hostname === '' || !Number.isInteger(port) || port <= 0)
      return { problem: notNodes(entry) };
    nodes.push({ host: url.hostname, port });
    if (url.password !== '') password = decodeURIComponent(url.password);
    if (url.username !== '') username = decodeURIComponent(url.username);
  }
  return { nodes, username, password };
}

const notNodes = (entry: string): string =>
  `host:port,host:port,… (${JSON.stringify(entry.replace(/\/\/[^@]*@/, '//…@'))} is not host:port)`;

const authOf = (target: ClusterTarget): string =>
  target.password === undefined
    ? ''
    : `${encodeURIComponent(target.username ?? '')}:${encodeURIComponent(target.password)}@`;

/** The first node as a URL: what a probe connects to (a cluster node answers PING as any server). */
export function seedUrl(target: ClusterTarget): string {
  const [first] = target.nodes;
  return `redis://${authOf(target)}${first?.host ?? ''}:${first?.port ?? 0}`;
}

/** The node list back as text (for a child's environment), the credentials on the first entry. */
export function formatClusterTarget(target: ClusterTarget): string {
  return [seedUrl(target), ...target.nodes.slice(1).map((n) => `${n.host}:${n.port}`)].join(',');
}
