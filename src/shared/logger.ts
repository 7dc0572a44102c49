import { pino, type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from './log-levels.ts';

export type { Logger };

/** Structured JSON lines (pino); `destination` lets tests capture them. */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  return destination === undefined ? pino({ level }) : pino({ level }, destination);
}

/**
 * For commands: JSON lines on stderr, so stdout stays for results; a command with a live status
 * line passes the line's own stream, so a log line never lands in the middle of it.
 */
export function createCliLogger(level: LogLevel, destination?: DestinationStream): Logger {
  return pino({ level }, destination ?? pino.destination({ fd: 2, sync: false }));
}
