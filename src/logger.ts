// The process-wide structured JSON logger (pino); the HTTP server and the worker share it.
import pino, { type DestinationStream, type Logger } from 'pino';
import { REDACTED_PATHS } from './http/server.js';

export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = { level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
}
