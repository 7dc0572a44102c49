import type { ConsumerProfile } from '../../contract/consumer-profiles.ts';
import type { SocketTargetOptions } from './socket-clients.ts';

/** What a clients worker is started with (its first message). */
export interface ClientWorkerConfig {
  readonly target: SocketTargetOptions;
  readonly profile: ConsumerProfile;
  readonly clients: number;
  /** Listen for errors where the profile says they arrive (the run sends some). */
  readonly errors: boolean;
}

export type ToWorker =
  | { readonly type: 'start'; readonly config: ClientWorkerConfig }
  /** Flows just sent: [flow id, intended send time in epoch ms]; warm-up flows are timed apart, never judged. */
  | {
      readonly type: 'sent';
      readonly flows: readonly (readonly [string, number])[];
      readonly warmup: boolean;
    }
  /** A fault: drop this share of the clients' connections; they reconnect by themselves. */
  | { readonly type: 'drop'; readonly share: number }
  /**
   * Stop and report; `errors`: the errors every client should have been shown, [id, intended epoch ms];
   * `since`: instants (epoch ms) for which to find the first receipt of a flow sent at or after each.
   */
  | {
      readonly type: 'finish';
      readonly errors: readonly (readonly [string, number])[];
      readonly since: readonly number[];
    };

export interface WorkerResult {
  /** publish→client latency, HDR-encoded (LatencyHistogram.encode). */
  readonly histogram: string;
  /** The same per second of intended send time, from the first measured flow: [second, encoded]. */
  readonly latencyBySecond: readonly (readonly [number, string])[];
  /** The same for the warm-up's flows. */
  readonly warmupHistogram: string;
  readonly receivedPerClient: readonly number[];
  /** Flows some of this worker's clients never received: [flow id, how many of them did]. */
  readonly lost: readonly (readonly [string, number])[];
  readonly foreign: number;
  readonly unreadable: number;
  /** error→client latency of the errors to be shown, HDR-encoded. */
  readonly errorHistogram: string;
  /** Errors to be shown that some of this worker's clients never got: [error id, how many did]. */
  readonly errorsLost: readonly (readonly [string, number])[];
  /** Per `since` instant: the first receipt (epoch ms) of a flow sent at or after it; null: none. */
  readonly firstReceiptSince: readonly (number | null)[];
}

export type FromWorker =
  | { readonly type: 'ready' }
  /** Every dropped client is connected again. */
  | { readonly type: 'dropped' }
  | { readonly type: 'failed'; readonly code: string; readonly message: string; readonly hint: string }
  | {
      readonly type: 'progress';
      /** Flows this worker has been told of, and whether all of them reached every one of its clients. */
      readonly known: number;
      readonly delivered: boolean;
      readonly receivedMin: number;
      /** publish→client latency so far, HDR-encoded: about once a second, not in every progress message. */
      readonly latency?: string;
    }
  | { readonly type: 'result'; readonly result: WorkerResult };
