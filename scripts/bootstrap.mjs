#!/usr/bin/env node
// Makes a fresh machine with only Node ready to run Veto: pnpm, the workspace's
// dependencies and nats-server. Idempotent and quick when everything is there.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PNPM_VERSION = '12.21.0';
const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function has(command) {
  return spawnSync(command, ['--version'], { stdio: 'ignore', shell: process.platform === 'win32' }).status === 0;
}

function run(command, args, options = {}) {
  execFileSync(command, args, { stdio: 'inherit', cwd: root, ...options });
}

function step(message) {
  process.stderr.write(`[bootstrap] ${message}\n`);
}

if (!has('pnpm')) {
  step(`installing pnpm@${PNPM_VERSION} with npm`);
  run('npm', ['install', '--global', `pnpm@${PNPM_VERSION}`]);
}

run('pnpm', ['install', '--frozen-lockfile', '--reporter=silent']);

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

function aptInstall(packages) {
  run('apt-get', ['update', '-qq']);
  run('apt-get', ['install', '-y', '-qq', ...packages], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}

const natsCandidates = ['/usr/sbin/nats-server', '/usr/bin/nats-server', '/usr/local/bin/nats-server'];
const natsOnPath = has('nats-server') || natsCandidates.some((p) => existsSync(p));
if (!natsOnPath) {
  if (isRoot && has('apt-get')) {
    step('installing nats-server from the Debian package');
    aptInstall(['nats-server']);
  } else {
    step('nats-server is missing. Install it with one of:');
    step('  sudo apt-get install nats-server          (Debian/Ubuntu)');
    step('  brew install nats-server                  (macOS)');
    step('  the release binary from https://github.com/nats-io/nats-server/releases, placed on PATH');
    process.exit(1);
  }
}

// The interop tests verify Veto's tokens and introspection with clients written elsewhere:
// PyJWT and authlib, from Debian's packages, run with Debian's own Python.
const SYSTEM_PYTHON = '/usr/bin/python3';
const pythonHasClients = () => spawnSync(SYSTEM_PYTHON, ['-c', 'import jwt, authlib'], { stdio: 'ignore' }).status === 0;
if (!pythonHasClients()) {
  if (isRoot && has('apt-get')) {
    step('installing python3-jwt and python3-authlib from the Debian packages (interop tests)');
    aptInstall(['python3', 'python3-jwt', 'python3-authlib']);
  } else {
    step("the interop tests need Debian's python3-jwt and python3-authlib:");
    step('  sudo apt-get install python3-jwt python3-authlib');
  }
}

// The admin console's end-to-end test drives a real browser: Debian's chromium, through
// playwright-core (Playwright's own browser download is not reachable from every machine).
const CHROMIUM = '/usr/bin/chromium';
if (!existsSync(CHROMIUM)) {
  if (isRoot && has('apt-get')) {
    step('installing chromium from the Debian packages (admin console browser test)');
    aptInstall(['chromium']);
  } else {
    step("the admin console browser test needs Debian's chromium:");
    step('  sudo apt-get install chromium');
  }
}

// The bench's Redis denylist baseline and its test start Debian's redis-server.
if (!has('redis-server') && !existsSync('/usr/bin/redis-server')) {
  if (isRoot && has('apt-get')) {
    step('installing redis-server from the Debian packages (bench baseline (e) and its test)');
    aptInstall(['redis-server']);
  } else {
    step("the bench's Redis denylist baseline needs Debian's redis-server:");
    step('  sudo apt-get install redis-server');
  }
}
