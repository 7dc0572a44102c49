import { CHECKPOINTS } from './checkpoints.ts';
import { nearestName } from './nearest-name.ts';
import { NAMESPACES, SOCKET_EVENTS } from './socket-events.ts';

/** Where a consumer puts something a client receives: a Socket.IO namespace and event. */
export interface SocketTarget {
  readonly namespace: string;
  readonly event: string;
}

/** The error message shape a consumer accepts on `tickstock:errors` (schemas and shapers: message-shapes.ts). */
export type ErrorShape = 'spec004' | 'source-message';
/** Where a consumer reads a backtest message's fields: under `data` (spec) or at the top level. */
export type BacktestShape = 'nested' | 'top-level';

/**
 * How one consumer speaks: what a client listens to, where the flow id and the publish time sit in
 * what it receives, the message shapes it accepts, and which checkpoints it records. Data, so a
 * scenario file can add one (docs/run.md).
 */
export interface ConsumerProfile {
  readonly name: string;
  readonly about: string;
  readonly patterns: SocketTarget & {
    /** Dotted path to the flow id; undefined: the first `flow_id` found anywhere in the payload. */
    readonly flowIdPath: string | undefined;
    /** Dotted path to the published message's own `timestamp` (Unix seconds: its intended send time). */
    readonly sentAtPath: string;
  };
  /** Where errors reach clients; null: this consumer pushes no errors to Socket.IO. */
  readonly errors: (SocketTarget & { readonly idPath: string | undefined }) | null;
  /** The error message shape it accepts on `tickstock:errors`. */
  readonly errorShape: ErrorShape;
  /** Backtest fields under `data` (spec) or at the top level of the message. */
  readonly backtestShape: BacktestShape;
  /** The consumer checkpoints it writes for a pattern flow; empty: it records none. */
  readonly checkpoints: readonly string[];
  /**
   * Where it stores the errors spec 004 says to store (error, critical): a table and the column that
   * holds the error's id (`equals`) or its message, which a run's errors end with their id (`contains`);
   * null: unknown, not checked.
   */
  readonly errorStore: ErrorStore | null;
  /** Its own UI, where errors are rendered (`run --browsers`); null: not known, not measured. */
  readonly page: ErrorPage | null;
}

/** Where a consumer's UI renders errors: a page on its origin and the elements that show one. */
export interface ErrorPage {
  /** The page's path on the consumer's origin, e.g. `/`. */
  readonly path: string;
  /** CSS selector of one rendered error; its text holds the error's id (a run's messages end with it). */
  readonly errorSelector: string;
  /** CSS selector present once the page is live (its socket connected); undefined: the load event. */
  readonly readySelector: string | undefined;
  /** The key in the URL's fragment the page reads a token from (`#token=…`); undefined: none sent. */
  readonly tokenHashKey: string | undefined;
}

export interface ErrorStore {
  readonly table: string;
  readonly column: string;
  readonly match: 'equals' | 'contains';
}

/** The specification, as the reference consumer speaks it: what every command uses by default. */
export const SPEC_PROFILE: ConsumerProfile = {
  name: 'spec',
  about: 'the specification, as the reference consumer speaks it',
  patterns: {
    namespace: NAMESPACES.main,
    event: SOCKET_EVENTS.patternAlert,
    flowIdPath: 'data.flow_id',
    sentAtPath: 'timestamp',
  },
  // The client's copy of an error names it `id` (spec 004 Phase 1.2's format).
  errors: { namespace: NAMESPACES.monitoring, event: SOCKET_EVENTS.tickstockError, idPath: 'id' },
  errorShape: 'spec004',
  backtestShape: 'nested',
  checkpoints: [CHECKPOINTS.eventReceived, CHECKPOINTS.eventParsed, CHECKPOINTS.websocketDelivered],
  errorStore: { table: 'error_logs', column: 'error_id', match: 'equals' },
  // The dashboard (src/consumer/web/dashboard.html): each error a `.item` row in #errors, its text
  // `type: message [id]`; live once the stored errors are drawn and /monitoring is connected.
  page: {
    path: '/',
    errorSelector: '#errors .item',
    readySelector: 'body[data-loaded="true"] #conn.live',
    tokenHashKey: 'token',
  },
};

export const CONSUMER_PROFILES: Readonly<Record<string, ConsumerProfile>> = {
  spec: SPEC_PROFILE,
  tickstockappv2: {
    name: 'tickstockappv2',
    about:
      'TickStockAppV2 as deployed: pattern_alert wraps the published message in event_data.data; errors need source and message and reach no client, backtest fields sit at the top level, and no consumer checkpoint is written',
    patterns: {
      namespace: NAMESPACES.main,
      event: SOCKET_EVENTS.patternAlert,
      flowIdPath: 'event_data.data.data.flow_id',
      // Its own `timestamp` is the server's time of the push, not the publish.
      sentAtPath: 'event_data.data.timestamp',
    },
    errors: null,
    errorShape: 'source-message',
    backtestShape: 'top-level',
    checkpoints: [],
    // Its error_logs has other columns than spec 004's; which one holds the message is not known here.
    errorStore: null,
    // Its UI is not known here: a scenario file's profile can name one (page:).
    page: null,
  },
};

export const PROFILE_NAMES = Object.keys(CONSUMER_PROFILES);

/**
 * The profile of that name, or undefined with the nearest known name for the error message (among the
 * profiles and the other words the caller accepts, such as `all`).
 */
export function findProfile(
  name: string,
  otherWords: readonly string[] = [],
): { profile?: ConsumerProfile; nearest?: string } {
  const profile = CONSUMER_PROFILES[name];
  return profile === undefined ? { nearest: nearestName(name, [...PROFILE_NAMES, ...otherWords]) } : { profile };
}
