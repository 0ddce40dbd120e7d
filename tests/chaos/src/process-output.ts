/**
 * A service's output shortened for a failure message: each pino JSON line becomes its
 * message and error (type and message, no stack), other lines are cut at 200 characters,
 * and repeats of the line before are counted instead of shown.
 *
 * @example
 * summarizeOutput('{"level":40,"msg":"stream gone","err":{"type":"StreamNotFoundError","message":"stream not found"}}');
 * // 'stream gone (StreamNotFoundError: stream not found)'
 */
export function summarizeOutput(output: string, maxLines = 15): string {
  const lines: { text: string; times: number }[] = [];
  for (const raw of output.split('\n')) {
    if (raw.trim() === '') continue;
    let text = raw.slice(0, 200);
    try {
      const entry = JSON.parse(raw) as { msg?: string; err?: { type?: string; message?: string } };
      text = `${entry.msg ?? ''}${entry.err ? ` (${entry.err.type}: ${entry.err.message})` : ''}`;
    } catch {
      // not a log line of the service's logger: keep it as written
    }
    const previous = lines.at(-1);
    if (previous?.text === text) previous.times += 1;
    else lines.push({ text, times: 1 });
  }
  return lines
    .slice(-maxLines)
    .map(({ text, times }) => (times > 1 ? `${text} (×${times})` : text))
    .join('\n');
}
