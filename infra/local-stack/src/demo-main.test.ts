import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@veto/test-kit';
import { startScript } from './test-support/launcher-process';

describe('npm run demo without a running stack', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'veto-demo-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('says to start the stack first when the data directory has no admin', async () => {
    const demo = startScript('demo-main.ts', { VETO_DATA_DIR: dir });

    expect((await demo.exited).code).toBe(1);
    expect(demo.output()).toMatch(/demo: DEMO_FAILED: .*admin\.json does not exist: start the stack first with npm start/);
  });

  it('says to start the stack first when nothing answers on the gateway port', async () => {
    await writeFile(join(dir, 'admin.json'), JSON.stringify({ email: 'admin@example.com', password: 'not used' }));
    const demo = startScript('demo-main.ts', { VETO_DATA_DIR: dir, GATEWAY_PORT: String(await freePort()) });

    expect((await demo.exited).code).toBe(1);
    expect(demo.output()).toMatch(/demo: DEMO_FAILED: nothing ready at http:\/\/localhost:\d+: start the stack first/);
  });
});
