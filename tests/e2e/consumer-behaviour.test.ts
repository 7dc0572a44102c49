import { Ajv } from 'ajv';
import { describe, expect, inject, test } from 'vitest';
import { CHANNELS, PRODUCER_HEARTBEAT_KEY } from '../../src/contract/channels.ts';
import {
  ProducerHeartbeatDetails,
  SubscriberHeartbeatDetails,
} from '../../src/contract/schemas/heartbeats.ts';
import { systemClock } from '../../src/shared/clock.ts';
import { seededRandom } from '../../src/shared/seeded-random.ts';
import { startProducerHeartbeat } from '../../src/sim/producer-heartbeat.ts';
import { integrationRecorder } from '../../src/sim/producer-recorder.ts';
import { publishOnce } from '../../src/sim/publish-once.ts';
import { LogSink } from '../../src/tracking/log-sink.ts';
import type { PipelineAggregate } from '../../src/contract/schemas/pipeline-aggregate.ts';
import { collect } from '../support/error-messages.ts';
import { startFlowRig } from '../support/flow-rig.ts';
import { useIsolatedServices, usePool } from '../support/isolated-services.ts';
import { nextEvent } from '../support/socket-wait.ts';
import { pollUntil } from '../support/wait-for.ts';

const services = useIsolatedServices();
const seed = inject('seed');
const db = usePool(services);

const ajv = new Ajv({ strict: true });
const rowsOf = async (checkpoint: string) =>
  (
    await db.query<{ details: unknown; timestamp: Date; source_system: string }>(
      'SELECT details, timestamp, source_system FROM integration_events WHERE checkpoint = $1 ORDER BY timestamp',
      [checkpoint],
    )
  ).rows;

describe('heartbeats at a short interval', () => {
  test('SUBSCRIBER_ALIVE as soon as the consumer has subscribed, not an interval (60 s by default) later: the dashboard has its age from the start', async () => {
    const since = new Date();
    const rig = await startFlowRig(services); // the default interval, 60 s
    try {
      const pushed = collect<PipelineAggregate>(await rig.monitor(), 'pipeline_aggregate');
      await rig.sink.drain(5000);
      const beats = (await rowsOf('SUBSCRIBER_ALIVE')).filter((b) => b.timestamp >= since);
      expect(beats).toHaveLength(1);
      expect(beats[0]!.details).toMatchObject({
        subscribed_channels: Object.values(CHANNELS),
        events_received: 0,
      });
      await pollUntil(() => pushed.length > 0, { timeoutMs: 5000, what: 'a pipeline aggregate' });
      expect(pushed[0]!.consumerAliveAgeSeconds).not.toBeNull();
      expect(pushed[0]!.consumerAliveAgeSeconds).toBeLessThan(10);
    } finally {
      await rig.close();
    }
  });

  test('SUBSCRIBER_ALIVE every interval with the stats of spec 000', async () => {
    const rig = await startFlowRig(services, { consumer: { heartbeatIntervalMs: 150 } });
    try {
      const browser = await rig.browser();
      const alert = nextEvent(browser, 'pattern_alert');
      await publishOnce({ redis: rig.redis, db: undefined, clock: systemClock, random: seededRandom(seed) });
      await alert;
      await pollUntil(
        async () => (await rig.sink.drain(5000), (await rowsOf('SUBSCRIBER_ALIVE')).length >= 3),
        {
          timeoutMs: 5000,
          what: 'three SUBSCRIBER_ALIVE rows',
        },
      );
      const beats = await rowsOf('SUBSCRIBER_ALIVE');
      const check = ajv.compile(SubscriberHeartbeatDetails);
      for (const beat of beats) expect(check(beat.details), JSON.stringify(check.errors)).toBe(true);
      expect(beats.at(-1)?.details).toMatchObject({
        subscribed_channels: Object.values(CHANNELS),
        events_received: 1,
        events_processed: 1,
        events_forwarded: 1,
        connection_errors: 0,
      });
      const gaps = beats.slice(1).map((b, i) => b.timestamp.getTime() - beats[i]!.timestamp.getTime());
      for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(100);
    } finally {
      await rig.close();
    }
  });

  test('PRODUCER_ALIVE and the heartbeat key, as spec 001 §2 writes them', async () => {
    const rig = await startFlowRig(services);
    try {
      const heartbeat = startProducerHeartbeat(
        {
          redis: rig.redis,
          recorder: integrationRecorder(db, seededRandom(seed)),
          clock: systemClock,
          logger: rig.logger,
        },
        { patternsDetected: () => 42, lastPatternTime: () => 1_758_000_000.5 },
        100,
      );
      await pollUntil(async () => (await rowsOf('PRODUCER_ALIVE')).length >= 3, {
        timeoutMs: 5000,
        what: 'three PRODUCER_ALIVE rows',
      });
      await heartbeat.stop();
      const beats = await rowsOf('PRODUCER_ALIVE');
      const check = ajv.compile(ProducerHeartbeatDetails);
      for (const beat of beats) {
        expect(check(beat.details)).toBe(true);
        expect(beat.source_system).toBe('TickStockPL');
      }
      expect(beats[0]?.details).toMatchObject({ patterns_detected: 42, last_pattern_time: 1_758_000_000.5 });
      const key = Number(await rig.redis.get(PRODUCER_HEARTBEAT_KEY));
      expect(Math.abs(key - Date.now() / 1000)).toBeLessThan(5);
    } finally {
      await rig.close();
    }
  });
});

describe('tracking off (ENABLE_INTEGRATION_TRACKING=false)', () => {
  test('nothing is written to the database; each checkpoint is a structured log line (spec 002 Phase 4)', async () => {
    const before = (await db.query<{ n: string }>('SELECT count(*) AS n FROM integration_events')).rows[0]!.n;
    const rig = await startFlowRig(services, { sink: (logger) => new LogSink(logger) });
    try {
      const browser = await rig.browser();
      const event = await rig.deliverOne(browser, seededRandom(seed + 1));
      const flowLines = rig.lines.filter(
        (l) => l['msg'] === 'pattern.flow' && l['flow_id'] === event.data.flow_id,
      );
      expect(flowLines.map((l) => l['checkpoint'])).toEqual([
        'EVENT_RECEIVED',
        'EVENT_PARSED',
        'WEBSOCKET_DELIVERED',
      ]);
      for (const line of flowLines) {
        expect(line).toMatchObject({ event: 'checkpoint', symbol: event.data.symbol });
        expect(typeof line['latency_ms']).toBe('number');
      }
    } finally {
      await rig.close();
    }
    const after = (await db.query<{ n: string }>('SELECT count(*) AS n FROM integration_events')).rows[0]!.n;
    expect(after).toBe(before);
  });
});

describe('backtesting and health messages', () => {
  test('valid ones are forwarded to browsers; invalid ones are rejected and counted', async () => {
    const rig = await startFlowRig(services);
    try {
      const browser = await rig.browser();
      const progress = {
        event_type: 'backtest_progress',
        source: 'TickStockPL',
        timestamp: Date.now() / 1000,
        data: { job_id: 'bt-1', progress: 0.4 },
      };
      const health = {
        event_type: 'health_status',
        source: 'TickStockPL',
        timestamp: Date.now() / 1000,
        data: { status: 'degraded' },
      };
      const result = {
        event_type: 'backtest_result',
        source: 'TickStockPL',
        timestamp: Date.now() / 1000,
        data: { job_id: 'bt-1', status: 'completed' },
      };
      const gotProgress = nextEvent(browser, 'backtest_progress');
      const gotHealth = nextEvent(browser, 'system_health');
      const gotResult = nextEvent(browser, 'backtest_result');
      await rig.redis.publish(
        CHANNELS.backtestProgress,
        JSON.stringify({ ...progress, data: { job_id: 'bt-1', progress: 40 } }),
      );
      await rig.redis.publish(CHANNELS.backtestProgress, JSON.stringify(progress));
      await rig.redis.publish(CHANNELS.health, JSON.stringify(health));
      await rig.redis.publish(CHANNELS.backtestResults, JSON.stringify(result));
      expect(await gotProgress).toEqual(progress);
      expect(await gotHealth).toEqual(health);
      expect(await gotResult).toEqual(result);
      expect(rig.consumer.stats.eventsRejected).toBe(1);
    } finally {
      await rig.close();
    }
  });

  test('no input crashes the consumer: garbage on every channel, then a valid pattern still flows', async () => {
    const rig = await startFlowRig(services);
    try {
      const browser = await rig.browser();
      const garbage = [
        Buffer.from([0xff, 0xfe]),
        Buffer.from('{"a":'),
        Buffer.from('[]'),
        Buffer.from('{"__proto__":{}}'),
        Buffer.alloc(300_000, 0x20),
      ];
      for (const channel of Object.values(CHANNELS))
        for (const g of garbage) await rig.redis.publish(channel, g);
      await rig.deliverOne(browser, seededRandom(seed + 2));
      expect(rig.consumer.stats.eventsRejected).toBe(garbage.length * Object.values(CHANNELS).length);
    } finally {
      await rig.close();
    }
  });
});
