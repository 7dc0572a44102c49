import { buffer } from 'node:stream/consumers';
import { Command } from 'commander';
import { loadConfig } from '../config/load-config.ts';
import { isHarnessError } from '../errors/harness-error.ts';
import { consumerCommand } from './consumer-command.ts';
import { contractExportCommand } from './contract-export-command.ts';
import { demoCommand, type DemoFlags } from './demo-command.ts';
import { diagnoseCommand, monitorCommand } from './inspect-commands.ts';
import { migrateCommand } from './migrate-command.ts';
import { servicesCommand } from './services-command.ts';
import {
  simCommand,
  simErrorsCommand,
  simOnceCommand,
  type SimErrorFlags,
  type SimFlags,
} from './sim-command.ts';
import { validateCommand } from './validate-command.ts';
import {
  eventsCleanup,
  eventsList,
  eventsSearch,
  eventsStats,
  eventsTrace,
  type EventsFlags,
} from './events-command.ts';
import { dropTrackingCommand, restoreTrackingCommand } from './tracking-commands.ts';

const program = new Command('tickstock')
  .description('Integration-test harness and simulator for the TickStock event pipeline')
  .showHelpAfterError()
  // `sim` and its subcommands share option names: options belong to the command they follow.
  .enablePositionalOptions();

const urlOptions = (command: Command): Command =>
  command
    .option('--redis-url <url>', 'Redis (default: REDIS_URL)')
    .option('--database-url <url>', 'PostgreSQL (default: DATABASE_URL)');

program
  .command('demo')
  .description(
    'the live demo: services, schema, consumer and its page, simulator, status line; Ctrl+C cleans up',
  )
  .option('--rate <n>', 'pattern events per second', '20')
  .option('--duration <seconds>', 'stop by itself after this long')
  .option('--seed <n>', 'seed of the simulated events')
  .action((flags: DemoFlags) => demoCommand(loadConfig(), flags));

program
  .command('services')
  .description('start PostgreSQL and Redis by the provider order, migrate, print their URLs, wait for Ctrl+C')
  .option('--env-file <path>', 'where to write the URLs with passwords', '.tickstock/services.env')
  .action((options: { envFile: string }) => servicesCommand(loadConfig(), options));

const sim = urlOptions(program.command('sim').enablePositionalOptions())
  .description(
    'the producer simulator: seeded pattern events on an open-loop schedule, recorded then published',
  )
  .option('--no-db', 'do not record PATTERN_PUBLISHED / PRODUCER_ALIVE')
  .option('--scenario <kind>', 'steady, ramp, burst or soak', 'steady')
  .option('--rate <n>', 'events per second (the end rate of a ramp, the base rate of a burst)', '10')
  .option('--count <n>', 'stop after this many events')
  .option('--duration <seconds>', 'stop after this long (a soak is a long steady run)')
  .option('--seed <n>', 'the same seed gives the same events in the same order')
  .option('--ramp-from <n>', 'ramp: start rate', '1')
  .option('--ramp-seconds <n>', 'ramp: seconds to reach --rate', '60')
  .option('--burst-rate <n>', 'burst: rate inside a burst', '100')
  .option('--burst-seconds <n>', 'burst: burst length', '2')
  .option('--burst-every <n>', 'burst: seconds from one burst to the next', '10')
  .option('--heartbeat <seconds>', 'producer heartbeat interval (spec 001: 60)', '60')
  .option('--backtest-rate <n>', 'backtest progress/result messages per second', '0')
  .option('--health-rate <n>', 'health status messages per second', '0')
  .action((flags: SimFlags) => simCommand(loadConfig(), flags));

urlOptions(sim.command('once'))
  .description("spec 001 §5's test pattern: publish one event and print its flow_id")
  .option('--no-db', 'do not record PATTERN_PUBLISHED')
  .option('--seed <n>', 'seed of the event')
  .action((flags: SimFlags) => simOnceCommand(loadConfig(), flags));

sim
  .command('errors')
  .description("error messages on tickstock:errors: spec 004's test sequence, or a seeded mix at a rate")
  .option('--redis-url <url>', 'Redis (default: REDIS_URL)')
  .option('--sequence', "spec 004's test sequence: each severity, then five categories", false)
  .option('--interval <seconds>', 'pause between messages of the sequence (the spec sleeps 1 s)', '1')
  .option('--rate <n>', 'errors per second for a mix', '5')
  .option('--count <n>', 'stop after this many')
  .option('--duration <seconds>', 'stop after this long')
  .option('--severities <weights>', 'severity weights', 'debug:1,info:2,warning:4,error:3,critical:0.2')
  .option('--categories <list>', 'categories to draw from (default: all eight)')
  .option('--seed <n>', 'the same seed gives the same errors')
  .action((flags: SimErrorFlags) => simErrorsCommand(loadConfig(), flags));

urlOptions(program.command('consumer'))
  .description('the reference consumer, until Ctrl+C')
  .option('--port <n>', 'HTTP and Socket.IO port (default: CONSUMER_PORT or 8787)')
  .action((flags: { redisUrl?: string; databaseUrl?: string; port?: string }) =>
    consumerCommand(loadConfig(), flags),
  );

urlOptions(program.command('monitor'))
  .description(
    'live health of both sides: heartbeats, subscriptions, flow rate, hop latencies, incomplete flows',
  )
  .option('--watch', 'refresh until Ctrl+C', false)
  .option('--interval <seconds>', 'refresh interval with --watch', '2')
  .option('--settle <seconds>', 'flows younger than this are still in flight, not judged', '5')
  .option('--max-heartbeat-age <seconds>', 'a heartbeat older than this is a problem', '150')
  .option('--json', 'the snapshot as one JSON object (one per line with --watch)', false)
  .action(async (flags: Parameters<typeof monitorCommand>[1]) => {
    process.exitCode = await monitorCommand(loadConfig(), flags);
  });

urlOptions(program.command('diagnose'))
  .description(
    'check reachability, schema, subscribers, heartbeats; follow a test pattern; exit 1 on any failure',
  )
  .option('--max-heartbeat-age <seconds>', 'a heartbeat older than this fails', '150')
  .option('--follow <seconds>', 'how long to follow the test pattern', '5')
  .option('--json', 'one JSON finding per line, then a summary record', false)
  .action(async (flags: Parameters<typeof diagnoseCommand>[1]) => {
    process.exitCode = await diagnoseCommand(loadConfig(), flags);
  });

program
  .command('validate')
  .description('check JSON messages (one, or JSON lines) against the contract; exit 1 on any violation')
  .argument('[paths...]', 'files, directories (every file under them), or - for standard input')
  .option('--channel <name>', 'the channel the messages are for (decides the expected kind)')
  .option('--channel-from-dir', "each file's directory names its channel (fixtures/events/<channel>/)")
  .option('--json', 'one JSON verdict per line, then a summary record, for machines', false)
  .option('--junit <path>', 'also write a JUnit XML report, one test case per message')
  .option('--lines', 'treat the input as JSON lines')
  .option('--no-lines', 'treat the input as one message')
  .action(async (paths: string[], options: Parameters<typeof validateCommand>[1]) => {
    process.exitCode = await validateCommand(paths, options, {
      readStdin: () => buffer(process.stdin),
      write: (line) => process.stdout.write(`${line}\n`),
    });
  });

program
  .command('contract')
  .description('the published contract artefacts')
  .command('export')
  .description('write contract/schemas/*.schema.json and contract/asyncapi.json from src/contract')
  .action(() => contractExportCommand());

const db = program.command('db').description('database maintenance');
db.command('migrate')
  .description('apply the migrations to DATABASE_URL (idempotent)')
  .action(() => migrateCommand(loadConfig()));
db.command('drop-tracking')
  .description(
    'spec 002: print the pre-removal checks, then drop log_integration_event(), pattern_flow_analysis, integration_events',
  )
  .option('--database-url <url>', 'PostgreSQL (default: DATABASE_URL)')
  .option('--yes', 'really drop (the checks are printed either way)', false)
  .action((flags: { databaseUrl?: string; yes: boolean }) => dropTrackingCommand(loadConfig(), flags));
db.command('restore-tracking')
  .description('recreate the integration tracking table, view and function (empty)')
  .option('--database-url <url>', 'PostgreSQL (default: DATABASE_URL)')
  .action((flags: { databaseUrl?: string }) => restoreTrackingCommand(loadConfig(), flags));

const events = program
  .command('events')
  .description("spec 003's event bus: query, trace, search, statistics, retention cleanup");
const eventOptions = (c: Command) =>
  c
    .option('--database-url <url>', 'PostgreSQL (default: DATABASE_URL)')
    .option('--json', 'one JSON object per line', false);
eventOptions(events.command('list'))
  .description('events by channel, type, source and time range, newest first')
  .option('--channel <name>')
  .option('--type <event_type>')
  .option('--source <source>')
  .option('--since <iso>')
  .option('--until <iso>')
  .option('--limit <n>', 'at most this many', '50')
  .action((f: Parameters<typeof eventsList>[1]) => eventsList(loadConfig(), f));
eventOptions(events.command('trace'))
  .description(
    'one flow in order with the hop between steps, from integration_events or the bus; exit 1 when none holds it',
  )
  .argument('<correlation-id>')
  .action(async (id: string, f: EventsFlags) => {
    process.exitCode = await eventsTrace(loadConfig(), id, f);
  });
eventOptions(events.command('search'))
  .description('events whose data contains a JSON fragment (JSONB @>, GIN index)')
  .argument('<json>', `e.g. '{"symbol":"AAPL"}'`)
  .option('--limit <n>', 'at most this many', '50')
  .action((fragment: string, f: EventsFlags & { limit: string }) => eventsSearch(loadConfig(), fragment, f));
eventOptions(events.command('stats'))
  .description('volume by channel and type, and the flow completion rate')
  .option('--hours <n>', 'over the last N hours', '24')
  .action((f: EventsFlags & { hours: string }) => eventsStats(loadConfig(), f));
eventOptions(events.command('cleanup'))
  .description('delete events past retention (EVENTS_RETENTION_DAYS) in batches, recorded as a system event')
  .option('--now', 'run it now', false)
  .option('--retention-days <n>', 'override EVENTS_RETENTION_DAYS')
  .action((f: EventsFlags & { now: boolean; retentionDays?: string }) => eventsCleanup(loadConfig(), f));

try {
  await program.parseAsync();
} catch (error) {
  if (!isHarnessError(error)) throw error;
  console.error(`tickstock: [${error.code}] ${error.message}`);
  process.exitCode = error.exitCode;
}
