/**
 * Spec 001 records PATTERN_PUBLISHED, then publishes. A batch waits this long for its recording
 * (a healthy database answers in about a millisecond); past it the schedule wins: the batch goes out
 * and is recorded behind it (docs/operations.md).
 */
export const DEFAULT_RECORD_WAIT_MS = 50;

/** A recording unanswered for this long is given up on: its events are counted as not recorded. */
export const DEFAULT_RECORD_TIMEOUT_MS = 5000;
