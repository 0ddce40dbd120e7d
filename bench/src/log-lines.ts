/**
 * The JSON lines of a process's output whose `msg` is `message` (pino's, or the loop probe's);
 * anything else is skipped.
 *
 * @param output - everything the process wrote
 * @param message - the `msg` to keep
 * @example
 * const lines = logLines(tickets.output(), 'revocation applied');
 */
export function logLines(output: string, message: string): Record<string, unknown>[] {
  const records: Record<string, unknown>[] = [];
  for (const line of output.split('\n')) {
    if (!line.includes(`"${message}"`)) continue;
    try {
      const record = JSON.parse(line) as Record<string, unknown>;
      if (record.msg === message) records.push(record);
    } catch {
      continue;
    }
  }
  return records;
}
