import { once } from 'node:events';
import { request, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import fc from 'fast-check';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { useIsolatedServices } from '../support/isolated-services.ts';
import { consumerCli, consumerUrl } from '../support/consumer-cli.ts';
import type { CliRun } from '../support/run-cli.ts';
import { runTempDir } from '../support/temp-dir.ts';
import { withDeadline } from '../support/wait-for.ts';
import type { LoopStalls } from '../../src/shared/loop-stalls.ts';
import { residentMb } from '../support/process-memory.ts';
import { watchHealth, type HealthWatch } from '../support/health-watch.ts';

// Issue 12's hostile-input suite: a real `tickstock consumer` process with the admin token set, fed
// request targets, query strings and Socket.IO handshakes. Whatever comes in, it answers and stays up.
const services = useIsolatedServices();
const seed = inject('seed');
const TOKEN = 'hostile-input-token-5d1c';
/**
 * /health within 100 ms throughout (issue 12, "Done means"), in two halves. The consumer's part, measured
 * inside it (`event_loop.longest_block_ms`: the longest its own work held the event loop): under 100 ms,
 * so no request waited longer for the consumer. The answer times seen from outside: 95 % within 100 ms
 * and none lost; single answers also wait for cores this shared 2-core machine gives to other processes.
 */
const HEALTH_BUDGET_MS = { p95: 100, block: 100 } as const;
/** The consumer's resident memory after the whole suite (documented in docs/reliability.md). */
const RSS_BUDGET_MB = 300;
// Each property stops after this long, however many runs it reached: the suite stays a few seconds.
const property = { seed, numRuns: 300, interruptAfterTimeLimit: 3000, markInterruptAsFailure: false };

let run: CliRun;
let port: number;
let health: HealthWatch;

beforeAll(async () => {
  run = consumerCli(services, await runTempDir('hostile-'), { HARNESS_ADMIN_TOKEN: TOKEN });
  port = Number(new URL(await consumerUrl(run)).port);
  health = await watchHealth(`http://127.0.0.1:${port}/health`);
});
afterAll(async () => {
  await health?.stop();
  run?.child.kill('SIGINT');
  await run?.exited;
});

interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** A request with its target sent exactly as given (fetch would normalise `//` and dot segments). */
function send(
  path: string,
  options: { method?: string; body?: string; auth?: boolean } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: options.method ?? 'GET',
        headers: options.auth === true ? { authorization: `Bearer ${TOKEN}` } : {},
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

const alive = () =>
  expect(run.child.exitCode, `the consumer exited:\n${run.output().slice(-3000)}`).toBeNull();

describe('request targets', () => {
  test.each(['//', '//a:99999', '//a:99999/api/errors/recent'])(
    '%s: 400, and the consumer stays up',
    async (path) => {
      const answer = await send(path);
      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.body)).toEqual({ error: 'the request target is not a valid URL path' });
      alive();
    },
  );

  test('any request target gets an answer below 500', async () => {
    const piece = fc.oneof(
      fc.constantFrom(
        '/',
        '//',
        '..',
        '%00',
        '%zz',
        '%',
        ':',
        '@',
        'a:99999',
        '?',
        '&',
        '=',
        'EIO=4',
        'sid=x',
      ),
      fc.constantFrom('transport=polling', 'transport=websocket', 'limit=5', 'since=', 'health', 'recent'),
      fc.string({
        unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)),
        maxLength: 6,
      }),
    );
    const start = fc.constantFrom(
      '/',
      '//',
      '/api/errors/',
      '/api/events/',
      '/api/events/trace/',
      '/socket.io/',
    );
    await fc.assert(
      fc.asyncProperty(start, fc.array(piece, { maxLength: 8 }), fc.boolean(), async (head, rest, auth) => {
        const answer = await send(head + rest.join(''), { auth });
        expect(answer.status, `${head}${rest.join('')}: ${answer.body}`).toBeLessThan(500);
      }),
      property,
    );
    alive();
  });
});

describe('sizes', () => {
  test('a 15 KB query string, a 20 KB header: a 4xx answer, never an exit', async () => {
    const long = await send(`/api/events?channel=${'a'.repeat(15_000)}`, { auth: true });
    expect(long.status).toBe(400);
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    socket.end(`GET /health HTTP/1.1\r\nHost: x\r\nx-big: ${'b'.repeat(20_000)}\r\n\r\n`);
    await withDeadline(once(socket, 'close'), 5000, 'the consumer to answer and close');
    expect(answer).toMatch(/^HTTP\/1\.1 431 /);
    alive();
  });
});

/** Every parameter each API endpoint reads, and values a client might send it. */
const ENDPOINT_PARAMS: Readonly<Record<string, readonly string[]>> = {
  '/api/events': ['channel', 'type', 'source', 'since', 'until', 'limit'],
  '/api/events/search': ['q', 'limit'],
  '/api/events/statistics': ['hours'],
  '/api/errors/recent': ['limit'],
  '/api/errors/statistics': ['hours'],
};
const anyValue = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc
    .date({ min: new Date(-8.64e15), max: new Date(8.64e15), noInvalidDate: true })
    .map((d) => d.toISOString()),
  fc.integer().map(String),
  fc.json({ maxDepth: 3 }),
  fc.constantFrom('\u0000', '{"a":"\\u0000"}', '-271821-04-20T00:00:00Z', '275760-09-13T00:00:00Z', '1e999'),
);

describe('query strings', () => {
  test.each([
    ['/api/events?channel=%00', 'channel'],
    ['/api/events?type=a%00b', 'type'],
    ['/api/events?since=-271821-04-20T00:00:00Z', 'since'],
    ['/api/events?until=275760-09-13T00:00:00Z', 'until'],
    ['/api/events/search?q=%7B%22a%22%3A%22%5Cu0000%22%7D', 'q'],
  ])('%s: 400 naming %s, not the database', async (path, name) => {
    const answer = await send(path, { auth: true });
    expect(answer.status, answer.body).toBe(400);
    expect((JSON.parse(answer.body) as { error: string }).error).toMatch(new RegExp(`^${name} must`));
  });

  test('any parameter values: 200 or 400, never the database refusing them', async () => {
    const endpoint = fc.constantFrom(...Object.keys(ENDPOINT_PARAMS));
    const query = endpoint.chain((path) =>
      fc
        .array(fc.tuple(fc.constantFrom(...ENDPOINT_PARAMS[path]!), anyValue), { maxLength: 4 })
        .map((params) => `${path}?${new URLSearchParams(params).toString()}`),
    );
    await fc.assert(
      fc.asyncProperty(query, async (path) => {
        const answer = await send(path, { auth: true });
        expect([200, 400], `${path}: ${answer.status} ${answer.body.slice(0, 300)}`).toContain(answer.status);
      }),
      property,
    );
    alive();
  });
});

/** The handshake's outcome on `namespace` with `auth`: connected, or the server's refusal. */
async function handshake(namespace: string, auth: Record<string, unknown>): Promise<string> {
  const socket = io(`http://127.0.0.1:${port}${namespace}`, {
    auth,
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  try {
    return await withDeadline(
      new Promise<string>((resolve) => {
        socket.once('connect', () => resolve('connected'));
        socket.once('connect_error', (error) => resolve(error.message));
      }),
      5000,
      `the handshake on ${namespace}`,
    );
  } finally {
    socket.disconnect();
  }
}

describe('Socket.IO handshakes', () => {
  test.each(['/', '/monitoring'])('%s: refused without the token, served with it', async (namespace) => {
    expect(await handshake(namespace, {})).toMatch(/^unauthorized/);
    expect(await handshake(namespace, { token: 'wrong' })).toMatch(/^unauthorized/);
    expect(await handshake(namespace, { token: TOKEN })).toBe('connected');
  });

  test('tokens that are not strings are refused; the consumer stays up', async () => {
    const token = fc.oneof(
      fc.constantFrom<unknown>(1, true, {}, [], [1, 2], { length: 3 }, { type: 'Buffer', data: [1] }),
      fc.jsonValue().filter((v) => typeof v !== 'string'),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('/', '/monitoring'), token, async (namespace, value) => {
        expect(await handshake(namespace, { token: value })).toMatch(/^unauthorized/);
      }),
      { ...property, numRuns: 100 },
    );
    alive();
  });

  test('raw CONNECT packets of any payload over long-polling: answered, never an exit', async () => {
    const payload = fc.oneof(
      fc.constantFrom('1', 'true', '"x"', '[]', 'null', '{"token":1}', '{"token":{"a":[]}}', '{', ''),
      fc.json({ maxDepth: 3 }),
      fc.string({ maxLength: 40 }),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('/', '/monitoring', '/nowhere'), payload, async (namespace, body) => {
        const open = await send('/socket.io/?EIO=4&transport=polling');
        const sid = (JSON.parse(open.body.slice(1)) as { sid: string }).sid;
        const at = `/socket.io/?EIO=4&transport=polling&sid=${sid}`;
        const packet = `40${namespace === '/' ? '' : `${namespace},`}${body}`;
        expect((await send(at, { method: 'POST', body: packet })).status).toBeLessThan(500);
        expect((await send(at)).status).toBeLessThan(500);
      }),
      { ...property, numRuns: 100 },
    );
    alive();
  });
});

describe('headers on every response', () => {
  test.each([
    '/health',
    '/nowhere',
    '//',
    '/api/errors/recent',
    '/socket.io/socket.io.min.js',
    '/socket.io/?EIO=4&transport=polling',
  ])('%s: a Content-Security-Policy that allows nothing, and no framing', async (path) => {
    const { headers } = await send(path);
    expect(headers['content-security-policy']).toMatch(/default-src 'none'.*frame-ancestors 'none'/);
    expect(headers['x-frame-options']).toBe('DENY');
  });

  test('a request node:http cannot parse: 400 with the same headers', async () => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    socket.end('GET / HTTP/1.1\r\nHost: x\r\nnot a header\r\n\r\n');
    await withDeadline(once(socket, 'close'), 5000, 'the consumer to answer and close');
    expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(answer).toMatch(/x-frame-options: DENY/);
    alive();
  });

  test("the dashboard's policy allows its own scripts and styles (nothing inline), connections to itself, no framing", async () => {
    const { headers } = await send('/dashboard');
    const policy = String(headers['content-security-policy']);
    expect(policy).toMatch(/script-src 'self'(;|$)/);
    expect(policy).toMatch(/style-src 'self'(;|$)/);
    expect(policy).toMatch(/connect-src 'self'/);
    expect(policy).toMatch(/frame-ancestors 'none'/);
    expect(policy).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(headers['x-frame-options']).toBe('DENY');
  });
});

describe('throughout', () => {
  test(`the consumer never exited, never held its loop ${HEALTH_BUDGET_MS.block} ms, /health answered (p95 ${HEALTH_BUDGET_MS.p95} ms), RSS under ${RSS_BUDGET_MB} MB`, async () => {
    alive();
    const seen = await health.stop();
    const { event_loop: loop } = (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as {
      event_loop: LoopStalls;
    };
    const told = `${seen.describe()}; consumer's loop ${JSON.stringify(loop)}`;
    expect(seen.failures, told).toEqual([]);
    expect(seen.p95Ms, told).toBeLessThan(HEALTH_BUDGET_MS.p95);
    expect(loop.longest_block_ms, told).toBeLessThan(HEALTH_BUDGET_MS.block);
    const rssMb = await residentMb(run.child.pid!);
    console.log(`[hostile-input] consumer RSS ${rssMb.toFixed(0)} MB; ${told}`);
    expect(rssMb).toBeLessThan(RSS_BUDGET_MB);
  });
});
