import { PGlite } from '@electric-sql/pglite';
import { processMemory, type ProcessMemory } from './process-memory';

/** What a probe reports over IPC: resident memory after opening PGlite and after a small workload. */
export interface PgliteProbeReport {
  readonly sharedBuffers: string;
  readonly opened: ProcessMemory;
  readonly worked: ProcessMemory;
  /** After the work and a full garbage collection (the child runs with --expose-gc). */
  readonly collected: ProcessMemory;
}

// A bench child (see bench-child.ts): opens PGlite in PROBE_DATA_DIR with PROBE_SETTINGS (JSON list
// of `name=value` PostgreSQL settings added to PGlite's start parameters), runs inserts and reads
// like a service's, reports its memory and exits. No Veto code is loaded, so only PGlite is measured.
async function main(): Promise<void> {
  const settings = JSON.parse(process.env.PROBE_SETTINGS ?? '[]') as string[];
  const pglite = new PGlite({
    dataDir: process.env.PROBE_DATA_DIR,
    ...(settings.length > 0 ? { startParams: [...PGlite.defaultStartParams, ...settings.flatMap((setting) => ['-c', setting])] } : {}),
  });
  await pglite.exec('CREATE TABLE IF NOT EXISTS probe (id serial PRIMARY KEY, body text NOT NULL)');
  const sharedBuffers = (await pglite.query<{ shared_buffers: string }>('SHOW shared_buffers')).rows[0]?.shared_buffers ?? '?';
  const opened = processMemory(process.pid);
  for (let i = 0; i < 2_000; i += 1) await pglite.query('INSERT INTO probe (body) VALUES ($1)', ['x'.repeat(300)]);
  for (let i = 0; i < 2_000; i += 1) await pglite.query('SELECT * FROM probe ORDER BY id DESC LIMIT 50');
  const worked = processMemory(process.pid);
  // PGlite's start-up buffers (on a first start, initdb's whole WASM memory) are garbage once it
  // runs, but V8 collects them only when its small JS heap asks for it.
  global.gc?.();
  await new Promise((resolve) => setTimeout(resolve, 200));
  global.gc?.();
  const collected = processMemory(process.pid);
  await pglite.close();
  const report: PgliteProbeReport = { sharedBuffers, opened, worked, collected };
  process.send?.(report);
  process.disconnect?.();
}

main().catch((error: unknown) => {
  process.stderr.write(`pglite probe failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
