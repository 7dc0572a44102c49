import type { ConsumerProfile } from '../contract/consumer-profiles.ts';
import { ERROR_ROUTES } from '../contract/error-routing.ts';
import type { Severity } from '../contract/schemas/error-message.ts';

/** Reads which of these error ids a consumer's store holds. */
export type ReadStoredErrors = (ids: readonly string[]) => Promise<Set<string>>;

export interface SentError {
  readonly errorId: string;
  readonly severity: Severity;
  readonly intendedAtMs: number;
}

/**
 * Every error a run published, and what spec 004 says the consumer owes for each: shown to every client
 * (warning and up, where the profile says errors reach clients) and stored (error, critical, where the
 * profile names its store). "Never lost" is judged against exactly these.
 */
export function createErrorLedger(profile: ConsumerProfile) {
  const sent: SentError[] = [];
  const unheard = new Set<string>();
  const shown = (): SentError[] => sent.filter((e) => ERROR_ROUTES[e.severity].monitoring);
  return {
    sent: (e: SentError): void => void sent.push(e),
    /** Its PUBLISH reached no subscriber. */
    unheard: (errorId: string): void => void unheard.add(errorId),
    wasUnheard: (errorId: string): boolean => unheard.has(errorId),
    /** Errors published to no subscriber, in the order sent. */
    allUnheard: (): string[] => sent.filter((e) => unheard.has(e.errorId)).map((e) => e.errorId),
    count: (): number => sent.length,
    /** Every error sent, in order. */
    all: (): readonly SentError[] => sent,
    /** Errors every client should be shown: [id, intended epoch ms]; none where the profile shows none. */
    toShow: (): [string, number][] =>
      profile.errors === null ? [] : shown().map((e) => [e.errorId, e.intendedAtMs]),
    /** Errors every page of the consumer's UI should render (the same severities); none without a page. */
    toRender: (): SentError[] => (profile.page === null ? [] : shown()),
    /** Errors the consumer should have stored; none where the profile names no store. */
    toStore: (): SentError[] =>
      profile.errorStore === null ? [] : sent.filter((e) => ERROR_ROUTES[e.severity].stored),
    severityOf: (errorId: string): Severity | undefined => sent.find((e) => e.errorId === errorId)?.severity,
  };
}

export type ErrorLedger = ReturnType<typeof createErrorLedger>;
