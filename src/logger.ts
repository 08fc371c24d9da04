// The process-wide structured JSON logger (pino); the HTTP server and the worker share it.
import pino, { type Logger } from 'pino';
import { REDACTED_PATHS } from './http/server.js';

export function createLogger(level: string): Logger {
  return pino({ level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } });
}
