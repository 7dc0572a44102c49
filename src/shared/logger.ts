import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Structured JSON lines (pino); `destination` lets tests capture them. */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  return destination === undefined ? pino({ level }) : pino({ level }, destination);
}

/** For commands: JSON lines on stderr, so stdout stays for results and the status line. */
export function createCliLogger(level: LogLevel): Logger {
  return pino({ level }, pino.destination({ fd: 2, sync: false }));
}
