// Run by start-script.cleanup.test.ts as a jest test file of its own: it starts a script that never
// exits, records the child's pid, and times out before it could kill the child itself.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startScript } from '../start-script';

it('times out while its child still runs', async () => {
  const run = startScript({ script: join(__dirname, 'echo-script.ts'), env: { PORT: '0' } });
  writeFileSync(process.env.VETO_PID_FILE as string, String(run.child.pid));
  await run.waitForLine((line) => line === 'a line the script never prints');
}, 2_000);
