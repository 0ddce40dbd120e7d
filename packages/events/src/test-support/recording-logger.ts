import type { Logger } from '../logger';

/** One recorded log call. */
export interface LogLine {
  level: keyof Logger;
  context: Record<string, unknown>;
  message: string;
}

/** A Logger that keeps every line, so tests can assert what was logged. */
export function recordingLogger(): Logger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const record =
    (level: keyof Logger) =>
    (context: object, message: string): void => {
      lines.push({ level, context: context as Record<string, unknown>, message });
    };
  return { lines, debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') };
}
