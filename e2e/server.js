// Starts a real Hallpass server for browser tests and benchmarks: its own PostgreSQL
// database (dropped afterwards), Redis as the session cache, the release-built SPA from
// dist/, a free port, and one account per persona with a fresh password.
const { spawn, execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const net = require('node:net');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const BIN = process.env.HALLPASS_BIN || path.join(ROOT, 'target', 'debug', 'hallpass');
const DIST = process.env.STATIC_DIR || path.join(ROOT, 'dist');

/** The accounts every run creates; `role` is the Hallpass role. */
const PERSONAS = {
  student: { role: 'student', name: 'Ada Student' },
  teacher: { role: 'teacher', name: 'Grace Teacher' },
  admin: { role: 'admin', name: 'Alan Admin' },
  // Signed in from two browsers in the revocation test; nobody else touches it.
  traveller: { role: 'student', name: 'Tess Traveller' },
  // Signed in from three browsers in the sign-out-others test.
  commuter: { role: 'teacher', name: 'Cal Commuter' },
  // Changes their password in the password test.
  forgetful: { role: 'student', name: 'Fran Forgetful' },
};

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

async function waitUntilReady(url, child) {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    if (child.exitCode !== null) throw new Error(`hallpass exited with ${child.exitCode}`);
    try {
      const response = await fetch(`${url}/readyz`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((done) => setTimeout(done, 100));
  }
  throw new Error(`hallpass did not become ready at ${url}`);
}

const ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

function psql(sql) {
  return execFileSync('psql', [ADMIN_URL, '-qAt', '-c', sql], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
}

function isRunning(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/** Drops the databases of earlier runs that died before cleaning up (named by their pid). */
function sweepLeftovers() {
  for (const name of psql("SELECT datname FROM pg_database WHERE datname LIKE 'hallpass\\_e2e\\_%'").split('\n')) {
    const pid = Number(name.split('_')[2]);
    if (name && pid && !isRunning(pid)) {
      psql(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    }
  }
}

async function startServer() {
  sweepLeftovers();
  const port = await freePort();
  const database = `hallpass_e2e_${process.pid}_${crypto.randomBytes(4).toString('hex')}`;
  const env = {
    ...process.env,
    DATABASE_URL: `postgres://postgres@127.0.0.1:5432/${database}`,
    REDIS_URL: process.env.REDIS_URL || 'redis://127.0.0.1:6379',
    SESSION_CACHE: 'redis',
    BIND: `127.0.0.1:${port}`,
    STATIC_DIR: DIST,
    RUST_LOG: process.env.RUST_LOG || 'warn',
    SESSION_SECRET: crypto.randomBytes(48).toString('base64'),
  };
  execFileSync(BIN, ['migrate'], { env, stdio: ['ignore', 'ignore', 'inherit'] });

  const users = {};
  for (const [persona, { role, name }] of Object.entries(PERSONAS)) {
    const email = `${persona}@e2e.hallpass.test`;
    const password = crypto.randomBytes(12).toString('base64url');
    execFileSync(BIN, ['user', 'add', '--email', email, '--name', name, '--role', role, '--password-stdin'], {
      env,
      input: `${password}\n`,
      stdio: ['pipe', 'ignore', 'inherit'],
    });
    users[persona] = { email, password, role, name };
  }

  const child = spawn(BIN, ['serve'], { env, stdio: ['ignore', 'inherit', 'inherit'] });
  const url = `http://127.0.0.1:${port}`;
  await waitUntilReady(url, child);

  async function stop() {
    if (child.exitCode === null) {
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGTERM');
      await exited;
    }
    psql(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  }
  return { url, users, stop };
}

/** Chromium from Debian, with the flags this sandbox needs; never a downloaded browser. */
const CHROMIUM = {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-dev-shm-usage',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-quic',
  ],
};

module.exports = { startServer, CHROMIUM };
