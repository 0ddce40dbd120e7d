import { join } from 'node:path';
import { writeLocalSecrets } from './local-secrets';

// Prepares the git-ignored Secret files of overlays/local; see infra/k8s/README.md.
const dir = join(__dirname, '..', 'overlays', 'local', 'secrets');
const { created, completed, admin } = writeLocalSecrets(dir);
const changes = [...(created.length > 0 ? [`wrote ${created.join(', ')}`] : []), ...(completed.length > 0 ? [`completed ${completed.join(', ')}`] : [])];
process.stdout.write(changes.length === 0 ? `${dir}: every secret file exists; nothing changed\n` : `${dir}: ${changes.join('; ')}\n`);
if (admin !== undefined) {
  process.stdout.write(`admin account (shown once, also in secrets/admin.env): ${admin.email} / ${admin.password}\n`);
}
