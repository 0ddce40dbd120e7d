import { join } from 'node:path';
import { writeLocalSecrets } from './local-secrets';

// Prepares the git-ignored Secret files of overlays/local; see infra/k8s/README.md.
const dir = join(__dirname, '..', 'overlays', 'local', 'secrets');
const { created, admin } = writeLocalSecrets(dir);
process.stdout.write(created.length === 0 ? `${dir}: every secret file exists; nothing changed\n` : `${dir}: wrote ${created.join(', ')}\n`);
if (admin !== undefined) {
  process.stdout.write(`admin account (shown once, also in secrets/admin.env): ${admin.email} / ${admin.password}\n`);
}
