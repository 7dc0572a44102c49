import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { Command, Option } from 'commander';
import { loadConfig } from '../config/load-config.ts';
import type { DemoFlags } from './demo-command.ts';
import type { DiagnoseFlags, MonitorFlags } from './inspect-commands.ts';
import type { SimErrorFlags, SimFlags, SimOnceFlags } from './sim-command.ts';
import * as parse from './option-parsers.ts';
import { reportFailure } from './report-failure.ts';
import { PACKAGE_ROOT } from '../shared/package-root.ts';
import { DEFAULT_RECORD_TIMEOUT_MS, DEFAULT_RECORD_WAIT_MS } from '../sim/record-timing.ts';
import { SCENARIO_KINDS } from '../sim/scenarios.ts';
import { ALL_CHANNELS } from '../contract/channels.ts';
import { PROFILE_NAMES, SPEC_PROFILE } from '../contract/consumer-profiles.ts';
import type { ValidateCommandOptions as ValidateOptions } from './validate-command.ts';
import type { RecordFlags } from './record-command.ts';
import type { EventsFlags, EventsListFlags } from './events-command.ts';
import type { RunFlags } from './run-command.ts';
import type { ConsumerFlags } from './consumer-command.ts';

// Commands are loaded when they run: `--version` and a usage error answer without loading the
// drivers, the consumer or the contract's compiled validators.
const sim = () => import('./sim-command.ts');
const tracking = () => import('./tracking-commands.ts');
const inspect = () => import('./inspect-commands.ts');
const events = () => import('./events-command.ts');

const packageVersion = (): string =>
  (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

const program = new Command('tickstock')
  .description('Integration-test harness and simulator for the TickStock event pipeline')
  .version(packageVersion(), '-V, --version')
  // Errors come back to the catch below, which maps them to the exit-code table (usage: 2).
  .exitOverride()
  .configureOutput({
    outputError: (text, write) => write(`tickstock: [CLI_USAGE] ${text.replace(/^error: /, '')}`),
  })
  .showHelpAfterError('(tickstock --help, or tickstock <command> --help, for usage)')
  // `sim` and its subcommands share option names: options belong to the command they follow.
  .enablePositionalOptions();

const urlOptions = (command: Command): Command =>
  command
    .option('--redis-url <url>', 'Redis (default: REDIS_URL)')
    .option('--database-url <url>', 'PostgreSQL (default: DATABASE_URL)');

/** Sharded pub-sub on a Redis Cluster instead of classic pub-sub on --redis-url (docs/scale.md). */
const clusterOption = (command: Command): Command =>
  command.option(
    '--redis-cluster <nodes>',
    'pub-sub sharded (SPUBLISH/SSUBSCRIBE) on this Redis Cluster: host:port,… (default: REDIS_CLUSTER_NODES)',
    parse.clusterNodes,
  );

/** `--profile NAME`, a consumer profile (src/contract/consumer-profiles.ts), by default the spec. */
const profileOption = (about: string): Option =>
  new Option('--profile <name>', `${about}: ${PROFILE_NAMES.join(' or ')}`)
    .argParser(parse.profile)
    .default(SPEC_PROFILE, SPEC_PROFILE.name);

program
  .command('demo')
  .description(
    'the live demo: throwaway services, schema, consumer and its page, simulator, status line; Ctrl+C cleans up',
  )
  .option('--rate <n>', 'pattern events per second', parse.rate, 20)
  .option('--duration <seconds>', 'stop by itself after this long', parse.seconds)
  .option('--seed <n>', 'seed of the simulated events', parse.seed)
  .option(
    '--use-env',
    'use DATABASE_URL / REDIS_URL instead of throwaway services (writes demo data there)',
    false,
  )
  .action(async (flags: DemoFlags) => (await import('./demo-command.ts')).demoCommand(loadConfig(), flags));

program
  .command('services')
  .description('start PostgreSQL and Redis by the provider order, migrate, print their URLs, wait for Ctrl+C')
  // Not --env-file: Node 20 takes that flag from anywhere on the command line as its own.
  .option('--write-env <path>', 'also write the URLs with passwords here (removed at exit)')
  .action(async (options: { writeEnv?: string }) =>
    (await import('./services-command.ts')).servicesCommand(loadConfig(), options),
  );

const simCmd = clusterOption(urlOptions(program.command('sim').enablePositionalOptions()))
  .description(
    'the producer simulator: seeded pattern events on an open-loop schedule, recorded then published',
  )
  .option('--no-db', 'do not record PATTERN_PUBLISHED / PRODUCER_ALIVE')
  .option('--scenario <kind>', 'steady, ramp, burst or soak', parse.oneOf(SCENARIO_KINDS), 'steady')
  .option(
    '--rate <n>',
    'events per second (the end rate of a ramp, the base rate of a burst)',
    parse.rate,
    10,
  )
  .option('--count <n>', 'stop after this many events', parse.count)
  .option('--duration <seconds>', 'stop after this long (a soak is a long steady run)', parse.seconds)
  .option('--seed <n>', 'the same seed gives the same event content in the same order', parse.seed)
  .option(
    '--warmup <seconds>',
    'first send this long at --rate with other seeds, counted apart: the figures start warm (default 0)',
    parse.nonNegativeNumber(parse.LIMITS.seconds),
    0,
  )
  .option(
    '--repeat-ids',
    'also repeat the flow ids of an earlier run with this seed (they merge in the database)',
  )
  .option('--ramp-from <n>', 'ramp: start rate', parse.rate, 1)
  .option('--ramp-seconds <n>', 'ramp: seconds to reach --rate', parse.seconds, 60)
  .option('--burst-rate <n>', 'burst: rate inside a burst', parse.rate, 100)
  .option('--burst-seconds <n>', 'burst: burst length', parse.seconds, 2)
  .option('--burst-every <n>', 'burst: seconds from one burst to the next', parse.seconds, 10)
  .option('--heartbeat <seconds>', 'producer heartbeat interval (spec 001: 60)', parse.seconds, 60)
  .option('--backtest-rate <n>', 'backtest progress/result messages per second', parse.optionalRate, 0)
  .option('--health-rate <n>', 'health status messages per second', parse.optionalRate, 0)
  .option(
    '--record-wait <ms>',
    'how long a batch waits for PATTERN_PUBLISHED to be recorded before it is published anyway',
    parse.milliseconds,
    DEFAULT_RECORD_WAIT_MS,
  )
  .option(
    '--record-timeout <ms>',
    'give up recording after this long and count the events as not recorded',
    parse.milliseconds,
    DEFAULT_RECORD_TIMEOUT_MS,
  )
  .option(
    '--hold-while-unsubscribed',
    'once a PUBLISH reaches nobody, hold until the channel has a subscriber; what fell due goes out late',
  )
  .option(
    '--out <json=file>',
    'also write the figures as JSON (contract/schemas/sim-report.schema.json)',
    parse.jsonOut,
  )
  .option(
    '--export <file>',
    'write the run as a recording (NDJSON; gzip for .gz) instead of publishing: no services, no waiting',
  )
  .addOption(profileOption('the consumer the messages are for (backtest messages go out in its shape)'))
  .action(async (flags: SimFlags) => (await sim()).simCommand(loadConfig(), flags));

clusterOption(urlOptions(simCmd.command('once')))
  .description("spec 001 §5's test pattern: publish one event and print its flow_id; exit 1 if nobody got it")
  .option('--no-db', 'do not record PATTERN_PUBLISHED')
  .option('--seed <n>', 'seed of the event content', parse.seed)
  .option('--repeat-ids', 'also repeat the flow id of an earlier run with this seed')
  .action(async (flags: SimOnceFlags) => (await sim()).simOnceCommand(loadConfig(), flags));

clusterOption(simCmd.command('errors'))
  .description("error messages on tickstock:errors: spec 004's test sequence, or a seeded mix at a rate")
  .option('--redis-url <url>', 'Redis (default: REDIS_URL)')
  .option('--sequence', "spec 004's test sequence: each severity, then five categories", false)
  .option(
    '--interval <seconds>',
    'pause between messages of the sequence (the spec sleeps 1 s)',
    parse.nonNegativeNumber(parse.LIMITS.seconds),
    1,
  )
  .option('--rate <n>', 'errors per second for a mix', parse.rate, 5)
  .option('--count <n>', 'stop after this many', parse.count)
  .option('--duration <seconds>', 'stop after this long', parse.seconds)
  .option('--severities <weights>', 'severity weights', 'debug:1,info:2,warning:4,error:3,critical:0.2')
  .option('--categories <list>', 'categories to draw from (default: all eight)')
  .option('--seed <n>', 'the same seed gives the same errors', parse.seed)
  .addOption(profileOption('the consumer the errors are for (tickstockappv2: with source and message)'))
  .action(async (flags: SimErrorFlags) => (await sim()).simErrorsCommand(loadConfig(), flags));

const collect = (value: string, previous: readonly string[]): string[] => [...previous, value];
/** Repeatable, and each value may list several: `--redact a,b --redact c`. */
const collectList = (value: string, previous: readonly string[]): string[] => [
  ...previous,
  ...value
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== ''),
];

program
  .command('record')
  .description(
    'record what Redis delivers (bytes as received, arrival times) into a recording that run --replay and validate read',
  )
  .option('--redis-url <url>', 'Redis (default: REDIS_URL)')
  .option(
    '--channels <patterns>',
    'channel patterns, comma-separated (PSUBSCRIBE; default: tickstock*)',
    collectList,
    [],
  )
  .option('--duration <seconds>', 'stop after this long (default: at Ctrl+C)', parse.seconds)
  .requiredOption('--out <file>', 'the recording: NDJSON, gzip when it ends in .gz')
  .option(
    '--redact <fields>',
    'blank these fields wherever they occur (comma-separated, repeatable)',
    collectList,
    [],
  )
  .action(async (flags: RecordFlags) => {
    const { recordCommand } = await import('./record-command.ts');
    await recordCommand(loadConfig(), {
      ...flags,
      channels: flags.channels.length > 0 ? flags.channels : ['tickstock*'],
    });
  });

clusterOption(urlOptions(program.command('run')))
  .description(
    'load a consumer (ours or a deployed one, by --profile) through Socket.IO clients; thresholds decide the exit code (99: failed)',
  )
  .argument('[scenario]', 'a scenario file (YAML or JSON, docs/run.md); flags win over it')
  .option('--socketio-url <url>', "the consumer's Socket.IO origin, e.g. http://127.0.0.1:8787")
  .option('--socketio-path <path>', 'Socket.IO HTTP path (default /socket.io)')
  .option('--token <token>', "the handshake's auth.token, where the consumer asks for one")
  .option(
    '--header <header>',
    "repeatable: 'Name: value', an extra HTTP header on every client's handshake (values are never printed)",
    collect,
    [],
  )
  .option('--profile <name>', 'how the consumer speaks: spec (default), tickstockappv2, or one in the file')
  .option('--no-db', 'do not record PATTERN_PUBLISHED')
  .option('--rate <n>', 'pattern events per second, open loop (default 100)', parse.rate)
  .option('--duration <seconds>', 'how long to send (default 10)', parse.seconds)
  .option(
    '--stage <kind,key=value…>',
    'a load stage, repeatable, instead of --rate/--duration: e.g. ramp,from=10,rate=1000,seconds=30',
    collect,
    [],
  )
  .option('--clients <n>', 'Socket.IO clients (default 10)', parse.count)
  .option('--workers <n>', 'processes the clients are spread over (default 1)', parse.count)
  .option(
    '--browsers <n>',
    "headless pages of the consumer's UI timing when each error is rendered, 0 to 50 (default 0)",
    parse.nonNegativeInteger(50),
  )
  .option('--seed <n>', 'seed of the event content', parse.seed)
  .option(
    '--warmup <seconds>',
    "load at the first stage's rate before the measured window, timed apart and never judged (default 0)",
    parse.nonNegativeNumber(parse.LIMITS.seconds),
  )
  .option(
    '--grace <seconds>',
    'after the last send, how long clients may take to receive the rest (default 5)',
    parse.seconds,
  )
  .option(
    '--errors <n>',
    'mix: error messages per second on tickstock:errors (default 0)',
    parse.optionalRate,
  )
  .option('--error-severities <weights>', 'mix: severity weights, e.g. warning:4,error:3,critical:1')
  .option('--heartbeat <seconds>', 'mix: producer heartbeat interval (default 60)', parse.seconds)
  .option(
    '--backtest-rate <n>',
    'mix: backtest progress/result messages per second (default 0)',
    parse.optionalRate,
  )
  .option('--health-rate <n>', 'mix: health status messages per second (default 0)', parse.optionalRate)
  .option(
    '--malformed <share>',
    'mix: share of pattern messages sent malformed, 0 to 1 (default 0)',
    parse.share,
  )
  .option(
    '--threshold <expr>',
    "pass criterion, repeatable (default: 'publish_to_client.p99 < 100' and 'lost == 0')",
    collect,
    [],
  )
  .option('--out <kind=file>', 'also write the report: json=FILE, html=FILE (repeatable)', collect, [])
  .option('--html <file>', 'the HTML report: the same as --out html=FILE')
  .option('--junit <file>', 'one JUnit testcase per threshold (and per baseline comparison)')
  .option(
    '--baseline <file>',
    "an earlier run's JSON report (--out json=FILE): a figure worse than it beyond the tolerance fails the run",
  )
  .option(
    '--baseline-tolerance <percent>',
    'how much worse than the baseline a figure may be, e.g. 10% (default 10%)',
    parse.percent(1000),
  )
  .option(
    '--baseline-tolerance-ms <ms>',
    'latencies must also be this many ms worse to regress, so sub-ms noise never fails (default 1)',
    parse.nonNegativeNumber(60_000),
  )
  .option('--start <what>', 'reference: start throwaway services and our consumer, and load that')
  .option(
    '--fault <spec>',
    "a fault during the load, repeatable: 'at=10s redis:restart', 'at=random postgres:stop 5s' (docs/run.md: Faults)",
    collect,
    [],
  )
  .option(
    '--allow-faults',
    'let net: faults act on the links of a consumer this run did not start (clients, and those given --link-port)',
    false,
  )
  .option(
    '--link-port <link=port>',
    'repeatable: a proxy on 127.0.0.1:PORT to --redis-url (redis=PORT) or --database-url (postgres=PORT) that your consumer connects through, for net: faults on that link',
    parse.linkPort,
  )
  .option(
    '--floor',
    "also measure this machine's floor: the same load through a bare Redis→Socket.IO relay",
    false,
  )
  .option(
    '--consumers <n>',
    'with --start reference: a group of N consumers sharing their clients (CONSUMER_SHARD), the workers spread over them (default 1)',
    parse.positiveInteger(16),
  )
  .option('--replay <file>', 'the load is this recording (tickstock record, sim --export), at its own times')
  .option('--speed <factor>', 'replay: 2 is twice as fast (default 1)', parse.positiveNumber(1000))
  .option('--loop', 'replay: start again at the end, until --duration')
  .option(
    '--fresh-ids',
    'replay: new flow and error ids (and timestamps), so replays never merge in the database',
  )
  .action(async (scenario: string | undefined, flags: RunFlags) =>
    (await import('./run-command.ts')).runCommand(loadConfig(), scenario, flags),
  );

// A run's clients in a process of their own: the run forks the CLI itself with this command.
program
  .command('__clients-worker', { hidden: true })
  .action(async () => (await import('./clients-worker-command.ts')).clientsWorkerCommand());

// The floor's bare relay (run --floor), forked the same way.
program
  .command('__bare-relay', { hidden: true })
  .action(async () => (await import('./bare-relay-command.ts')).bareRelayCommand());

clusterOption(urlOptions(program.command('consumer')))
  .description('the reference consumer, until Ctrl+C')
  .option('--port <n>', 'HTTP and Socket.IO port (default: CONSUMER_PORT or 8787; 0 picks one)', parse.port)
  .action(async (flags: ConsumerFlags) =>
    (await import('./consumer-command.ts')).consumerCommand(loadConfig(), flags),
  );

urlOptions(program.command('monitor'))
  .description(
    'live health of both sides: heartbeats, subscriptions, flow rate, hop latencies, incomplete flows',
  )
  .option('--watch', 'refresh until Ctrl+C', false)
  .option(
    '--interval <seconds>',
    'refresh interval with --watch (at least 0.1)',
    parse.positiveNumber(3600, 0.099),
    2,
  )
  .option(
    '--settle <seconds>',
    'flows younger than this are still in flight, not judged',
    parse.nonNegativeNumber(3600),
    5,
  )
  .option('--max-heartbeat-age <seconds>', 'a heartbeat older than this is a problem', parse.seconds, 150)
  .option('--json', 'the snapshot as one JSON object (one per line with --watch)', false)
  .action(async (flags: MonitorFlags) => {
    process.exitCode = await (await inspect()).monitorCommand(loadConfig(), flags);
  });

urlOptions(program.command('diagnose'))
  .description(
    'check reachability, schema, subscribers, heartbeats; follow a test pattern; exit 1 on any failure',
  )
  .option('--max-heartbeat-age <seconds>', 'a heartbeat older than this fails', parse.seconds, 150)
  .option('--follow <seconds>', 'how long to follow the test pattern', parse.positiveNumber(600), 5)
  .option('--json', 'one JSON finding per line, then a summary record', false)
  .action(async (flags: DiagnoseFlags) => {
    process.exitCode = await (await inspect()).diagnoseCommand(loadConfig(), flags);
  });

program
  .command('validate')
  .description(
    'check JSON messages (one, or JSON lines, or a recording) against the contract; exit 1 on any violation',
  )
  .argument('[paths...]', 'files, directories (every file under them), or - for standard input')
  .option(
    '--channel <name>',
    'the channel the messages are for (decides the expected kind)',
    parse.oneOf(ALL_CHANNELS),
  )
  .option('--channel-from-dir', "each file's directory names its channel (fixtures/events/<channel>/)")
  .option(
    '--profile <name>',
    `judge as that consumer would (${PROFILE_NAMES.join(', ')}); repeat it, or say ${parse.ALL_PROFILES}, for the verdicts side by side (default: the spec's verdict alone)`,
    parse.profiles,
  )
  .option('--json', 'one JSON verdict per line, then a summary record, for machines', false)
  .option('--junit <path>', 'also write a JUnit XML report, one test case per message (and profile)')
  .option('--lines', 'treat the input as JSON lines')
  .option('--no-lines', 'treat the input as one message')
  .action(async (paths: string[], options: ValidateOptions) => {
    const { isRecording } = await import('../sim/recording-file.ts');
    if (paths.length === 1 && (await isRecording(paths[0]!))) {
      const { validateRecording } = await import('./validate-recording.ts');
      const write = (line: string) => process.stdout.write(`${line}\n`);
      process.exitCode = await validateRecording(
        paths[0]!,
        options.profile ?? [SPEC_PROFILE],
        { write },
        options.json,
      );
      return;
    }
    const { validateCommand } = await import('./validate-command.ts');
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
  .action(async () => (await import('./contract-export-command.ts')).contractExportCommand());

const db = program.command('db').description('database maintenance');
db.command('migrate')
  .description('apply the migrations to DATABASE_URL (idempotent)')
  .action(async () => (await import('./migrate-command.ts')).migrateCommand(loadConfig()));
db.command('drop-tracking')
  .description(
    'spec 002: print the pre-removal checks, then drop log_integration_event(), pattern_flow_analysis, integration_events',
  )
  .option('--database-url <url>', 'PostgreSQL (default: DATABASE_URL)')
  .option('--yes', 'really drop (the checks are printed either way)', false)
  .action(async (flags: { databaseUrl?: string; yes: boolean }) =>
    (await tracking()).dropTrackingCommand(loadConfig(), flags),
  );
db.command('restore-tracking')
  .description('recreate the integration tracking table, view and function (empty)')
  .option('--database-url <url>', 'PostgreSQL (default: DATABASE_URL)')
  .action(async (flags: { databaseUrl?: string }) =>
    (await tracking()).restoreTrackingCommand(loadConfig(), flags),
  );

const eventsCmd = program
  .command('events')
  .description("spec 003's event bus: query, trace, search, statistics, retention cleanup");
const eventOptions = (c: Command) =>
  c
    .option('--database-url <url>', 'PostgreSQL (default: DATABASE_URL)')
    .option('--json', 'one JSON object per line', false);
eventOptions(eventsCmd.command('list'))
  .description('events by channel, type, source and time range, newest first')
  .option('--channel <name>')
  .option('--type <event_type>')
  .option('--source <source>')
  .option('--since <iso>')
  .option('--until <iso>')
  .option('--limit <n>', 'at most this many', parse.positiveInteger(100_000), 50)
  .action(async (f: EventsListFlags) => (await events()).eventsList(loadConfig(), f));
eventOptions(eventsCmd.command('trace'))
  .description(
    'one flow in order with the hop between steps, from integration_events or the bus; exit 1 when none holds it',
  )
  .argument('<correlation-id>')
  .action(async (id: string, f: EventsFlags) => {
    process.exitCode = await (await events()).eventsTrace(loadConfig(), id, f);
  });
eventOptions(eventsCmd.command('search'))
  .description('events whose data contains a JSON fragment (JSONB @>, GIN index)')
  .argument('<json>', `e.g. '{"symbol":"AAPL"}'`)
  .option('--limit <n>', 'at most this many', parse.positiveInteger(100_000), 50)
  .action(async (fragment: string, f: EventsFlags & { limit: number }) =>
    (await events()).eventsSearch(loadConfig(), fragment, f),
  );
eventOptions(eventsCmd.command('stats'))
  .description('volume by channel and type, and the flow completion rate')
  .option('--hours <n>', 'over the last N hours', parse.positiveNumber(24 * 3650), 24)
  .action(async (f: EventsFlags & { hours: number }) => (await events()).eventsStats(loadConfig(), f));
eventOptions(eventsCmd.command('cleanup'))
  .description('delete events past retention (EVENTS_RETENTION_DAYS) in batches, recorded as a system event')
  .option('--now', 'run it now', false)
  .option('--retention-days <n>', 'override EVENTS_RETENTION_DAYS', parse.positiveInteger(36_500))
  .action(async (f: EventsFlags & { now: boolean; retentionDays?: number }) =>
    (await events()).eventsCleanup(loadConfig(), f),
  );

try {
  await program.parseAsync();
} catch (error) {
  process.exitCode = reportFailure(error, (line) => console.error(line));
}
