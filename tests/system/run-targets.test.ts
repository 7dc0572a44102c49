import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { beforeAll, describe, expect, test } from 'vitest';
import { startAppV2StandIn } from '../support/appv2-stand-in.ts';
import { useIsolatedServices } from '../support/isolated-services.ts';
import { readRunReport, runAgainst } from '../support/run-reports.ts';
import { runTempDir } from '../support/temp-dir.ts';
import { withDeadline } from '../support/wait-for.ts';

const services = useIsolatedServices();
let dir: string;
beforeAll(async () => {
  dir = await runTempDir('run-command-');
});

const tickstockRun = (url: string, args: readonly string[]) =>
  runAgainst(url, args, { dir, redisUrl: services.redisUrl, databaseUrl: services.databaseUrl });

describe('tickstock run against a consumer', () => {
  test('a consumer that never emits: every flow is in the ledger once the grace period ends, exit 99', async () => {
    const http = createServer();
    const io = new Server(http, { transports: ['websocket'] });
    http.listen(0, '127.0.0.1');
    await once(http, 'listening');
    try {
      const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
      const { run, json } = tickstockRun(url, [
        ...['--rate', '50', '--duration', '1', '--clients', '3', '--workers', '2'],
        ...['--grace', '1', '--no-db'],
      ]);
      expect(await withDeadline(run.exited, 30_000, 'the run to end'), run.output()).toBe(99);
      const r = await readRunReport(json);
      expect(r.delivery.sent).toBe(50);
      expect(r.lost).toHaveLength(50);
      expect(r.lost.every((l) => l.clients_received === 0)).toBe(true);
      expect(run.output()).toMatch(/lost\s+50 flows/);
      // The live line (printed plainly here, not a terminal): nothing arrives, so no latency and all missing.
      expect(run.output()).toMatch(
        /\n\d+ s · sent \d+ · \d+\/s · received \(fewest\) 0 · p50 – · p99 – · missing \d+\n/,
      );
    } finally {
      await io.close();
    }
  }, 60_000);

  test("--header and target.headers reach every client's handshake; the run prints their names, never their values", async () => {
    const http = createServer();
    const io = new Server(http, { transports: ['websocket'] });
    const handshakes: Record<string, string | string[] | undefined>[] = [];
    io.on('connection', (socket) => handshakes.push(socket.handshake.headers));
    http.listen(0, '127.0.0.1');
    await once(http, 'listening');
    try {
      const scenario = join(dir, 'headers.yaml');
      await writeFile(
        scenario,
        'target:\n  headers:\n    X-From-File: file-secret\n    X-Tenant: overridden\n',
      );
      const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
      const { run } = tickstockRun(url, [
        scenario,
        ...['--rate', '10', '--duration', '1', '--clients', '2', '--grace', '0.5', '--no-db'],
        ...['--header', 'Authorization: Bearer flag-secret', '--header', 'X-Tenant: flag-tenant'],
      ]);
      // Nothing is emitted: every flow is lost (99); this test is about what the server was sent.
      expect(await withDeadline(run.exited, 30_000, 'the run to end'), run.output()).toBe(99);
      expect(handshakes).toHaveLength(2);
      for (const headers of handshakes)
        expect(headers).toMatchObject({
          authorization: 'Bearer flag-secret',
          'x-tenant': 'flag-tenant',
          'x-from-file': 'file-secret',
        });
      expect(run.output()).toMatch(/headers X-From-File, X-Tenant, Authorization/);
      expect(run.output()).not.toMatch(/secret|flag-tenant/);
    } finally {
      await io.close();
    }
  }, 60_000);

  test('the deployed consumer (a stand-in speaking tickstockappv2): its profile finds every flow; the spec profile finds none and says why', async () => {
    const appv2 = await startAppV2StandIn(services.redisUrl);
    try {
      // Judged by what arrives: this test is about where each profile finds the flow, not latency.
      // Two seconds: the live line comes once a second, and the run must still be sending then.
      const args = ['--rate', '50', '--duration', '2', '--clients', '2', '--grace', '1'];
      args.push('--threshold', 'lost == 0');
      const right = tickstockRun(appv2.url, [...args, '--profile', 'tickstockappv2']);
      expect(await withDeadline(right.run.exited, 30_000, 'the run to end'), right.run.output()).toBe(0);
      const rightReport = await readRunReport(right.json);
      expect(rightReport.delivery).toMatchObject({ sent: 100, received_min: 100, unreadable: 0 });
      // Latency so far is a second old at most: the first line may come before any of it.
      expect(right.run.output()).toMatch(
        /\n1 s · sent \d+ · \d+\/s · received \(fewest\) \d+ · p50 (–|\d[\d.]* m?s) · p99 (–|\d[\d.]* m?s) · missing \d+\n/,
      );
      // It writes no consumer checkpoints: said so, never "every flow incomplete".
      expect(rightReport.checkpoints).toMatchObject({ recorded: false });
      expect(right.run.output()).toMatch(
        /checkpoints\s+this consumer records no checkpoints \(profile tickstockappv2\)/,
      );

      const wrong = tickstockRun(appv2.url, [...args, '--no-db', '--profile', 'spec']);
      expect(await withDeadline(wrong.run.exited, 30_000, 'the run to end'), wrong.run.output()).toBe(99);
      const r = await readRunReport(wrong.json);
      expect(r.lost).toHaveLength(100);
      expect(r.delivery.unreadable).toBe(200);
      expect(wrong.run.output()).toMatch(
        /200 payloads had no flow id or publish time where profile spec looks: is --profile right/,
      );
    } finally {
      await appv2.close();
    }
  }, 60_000);
});
