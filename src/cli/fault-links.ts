import type { FaultLink, FaultSpec } from '../run/fault-schedule.ts';
import { ExitCode } from '../errors/exit-codes.ts';
import { HarnessError } from '../errors/harness-error.ts';
import { RunUsageError } from '../run/run-error.ts';
import { startTcpProxy, type TcpProxy } from '../services/tcp-proxy.ts';
import { seededRandom } from '../shared/seeded-random.ts';

/** How long a run waits for a consumer it did not start to connect through its link proxies. */
const LINK_WAIT_MS = 30_000;
const DEFAULT_PORTS: Readonly<Record<string, number>> = {
  'http:': 80,
  'redis:': 6379,
  'postgres:': 5432,
  'postgresql:': 5432,
};
// The jitter's own stream of the run's seed (apart from payloads and the schedule).
const JITTER_STREAM = 0x11a7_e9c7;

/**
 * The run's TCP proxies, one on each link its net: faults name (consumer↔Redis, consumer↔PostgreSQL,
 * clients↔consumer) and none elsewhere, so that a run without them measures the direct path.
 */
export function faultLinks(faults: readonly FaultSpec[], seed: number) {
  const named = new Set(faults.flatMap((f) => (f.link === undefined ? [] : [f.link])));
  const random = seededRandom((seed ^ JITTER_STREAM) >>> 0);
  const proxies: Partial<Record<FaultLink, TcpProxy>> = {};
  /**
   * `url` as the link's side reaches it: through a proxy when a fault names the link, on `listenPort`
   * when a consumer the run did not start is told to connect there (0: any free port).
   */
  const via = async (link: FaultLink, url: string, listenPort = 0): Promise<string> => {
    if (!named.has(link) && listenPort === 0) return url;
    const u = new URL(url);
    if (u.protocol === 'https:')
      throw new RunUsageError(
        'RUN_FAULT',
        `net: faults on link=${link}: ${u.origin} speaks TLS, which a proxy on 127.0.0.1 cannot pass under its name`,
        'Fault the clients link of a consumer reached over http:// (a local or port-forwarded one).',
      );
    const proxy = await startTcpProxy(
      { host: u.hostname, port: Number(u.port || DEFAULT_PORTS[u.protocol]) },
      () => random.next(),
      listenPort,
    ).catch((error: NodeJS.ErrnoException) => {
      throw new RunUsageError(
        'RUN_FAULT',
        `link=${link}: cannot listen on 127.0.0.1:${listenPort} (${error.code ?? error.message})`,
        'Choose another --link-port, one nothing else listens on.',
      );
    });
    proxies[link] = proxy;
    u.host = proxy.address;
    return u.toString();
  };
  return {
    proxies,
    via,
    /**
     * The links of a consumer the run did not start (--link-port): a proxy on each given port to the
     * service's URL, then a bounded wait until the consumer has connected through every one.
     */
    async openForConsumer(
      ports: Readonly<Partial<Record<'redis' | 'postgres', number>>>,
      urls: { readonly redis?: string | undefined; readonly postgres?: string | undefined },
      timeoutMs = LINK_WAIT_MS,
    ): Promise<void> {
      const given = (['redis', 'postgres'] as const).filter((l) => ports[l] !== undefined);
      if (given.length === 0) return;
      for (const link of given) await via(link, urls[link]!, ports[link]);
      const where = given
        .map((l) => `127.0.0.1:${ports[l]} (its ${l === 'redis' ? 'Redis' : 'PostgreSQL'} URL)`)
        .join(' and ');
      console.log(`waiting up to ${timeoutMs / 1000} s for the consumer to connect through ${where}`);
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          Promise.all(given.map((l) => proxies[l]!.firstConnection())),
          new Promise<never>((_, reject) => {
            timer = setTimeout(
              () =>
                reject(
                  new HarnessError(
                    'RUN_LINK_IDLE',
                    `no consumer connected through ${where} within ${timeoutMs / 1000} s`,
                    'Start (or restart) the consumer with its Redis / PostgreSQL URL pointing at those ports, after the run has started.',
                    { exitCode: ExitCode.service },
                  ),
                ),
              timeoutMs,
            );
          }),
        ]);
      } finally {
        clearTimeout(timer);
      }
    },
    close: () => Promise.all(Object.values(proxies).map((p) => p.close())).then(() => undefined),
  };
}
