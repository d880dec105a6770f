// The structured (pino) logger: JSON lines on standard output, secrets redacted.

import { pino, type Logger } from 'pino';
import type { LogLevel } from './config/schema.ts';

export function createLogger(level: LogLevel): Logger {
  return pino({
    level,
    base: { service: 'telemetrics-server' },
    redact: { paths: ['password', '*.password', 'databaseUrl', '*.databaseUrl', 'req.headers.authorization', 'req.headers.cookie'], censor: '***' },
  });
}
