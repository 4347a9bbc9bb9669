// Starts a real Hallpass server for browser tests and benchmarks: its own PostgreSQL
// database (dropped afterwards), Redis as the session cache, the release-built SPA from
// dist/, the country database from npm, a free port, and one account per persona with a
// fresh password. Browsers may say where they are with X-Forwarded-For (the server
// trusts loopback as its proxy). With
// E2E_BEHIND_NGINX=1, two instances behind a private nginx (scripts/nginx-test.conf),
// round robin, as a district deploys them.
const { spawn, execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
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
  // Signs in from France, then from a new device in the United States, in the new-device test.
  wanderer: { role: 'student', name: 'Wren Wanderer' },
  // Signed in from a Mac, an iPhone and curl in the test that tells sessions apart.
  juggler: { role: 'teacher', name: 'Jude Juggler' },
  // Opens another app of the platform, behind Caddy's forward-auth, in its test.
  pupil: { role: 'student', name: 'Pia Pupil' },
  // Signs in on a lab's shared computer in its test.
  labmate: { role: 'student', name: 'Lou Labmate' },
};

/** The CC0 country database `npm ci` installs: sessions record their country (GEOIP_DB). */
const GEOIP_DB = path.join(
  __dirname, 'node_modules', '@ip-location-db', 'geo-whois-asn-country-mmdb', 'geo-whois-asn-country.mmdb',
);

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
    GEOIP_DB,
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

  const ports = process.env.E2E_BEHIND_NGINX ? [port, await freePort()] : [port];
  const children = [];
  for (const instancePort of ports) {
    const child = spawn(BIN, ['serve'], {
      env: { ...env, BIND: `127.0.0.1:${instancePort}`, TRUSTED_PROXIES: '127.0.0.1/32' },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    children.push(child);
    await waitUntilReady(`http://127.0.0.1:${instancePort}`, child);
  }
  const balancer = process.env.E2E_BEHIND_NGINX ? await startNginx(ports) : null;
  const url = balancer ? balancer.url : `http://127.0.0.1:${port}`;

  async function stop() {
    if (balancer) balancer.stop();
    for (const child of children) {
      if (child.exitCode === null) {
        const exited = new Promise((done) => child.once('exit', done));
        child.kill('SIGTERM');
        await exited;
      }
    }
    psql(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  }
  return { url, users, env, stop };
}

/** A private nginx in front of the instances on `ports`, on a free port of its own. */
async function startNginx(ports) {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hallpass-e2e-nginx-'));
  const servers = ports.map((p) => `        server 127.0.0.1:${p} max_fails=0;`).join('\n');
  const conf = fs
    .readFileSync(path.join(ROOT, 'scripts', 'nginx-test.conf'), 'utf8')
    .replaceAll('@DIR@', dir)
    .replaceAll('@PORT@', String(port))
    .replace('@SERVERS@', servers);
  fs.writeFileSync(path.join(dir, 'nginx.conf'), conf);
  const child = spawn(
    'nginx',
    ['-p', dir, '-e', path.join(dir, 'error.log'), '-c', path.join(dir, 'nginx.conf'), '-g', 'daemon off; master_process off;'],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const url = `http://127.0.0.1:${port}`;
  await waitUntilReady(url, child);
  return {
    url,
    stop() {
      child.kill('SIGTERM');
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
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

/**
 * One more Hallpass instance of the run's deployment (`env`: its database and keys) for
 * an app of the platform behind a private Caddy (scripts/caddy-forward-auth.Caddyfile,
 * as docs/INTEGRATION.md shows): the app is a page of this file's own that shows the
 * identity headers it was given. Returns Hallpass's and the app's addresses.
 */
async function startForwardAuth(env) {
  const [hallpassPort, caddyPort, appPort] = [await freePort(), await freePort(), await freePort()];
  const app = require('node:http').createServer((request, response) => {
    const said = (name) => request.headers[name] || '';
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(
      `<!doctype html><html lang="en"><title>Course</title><main><h1>Course</h1>` +
        `<p id="email">${said('remote-email')}</p><p id="groups">${said('remote-groups')}</p></main></html>`,
    );
  });
  await new Promise((done) => app.listen(appPort, '127.0.0.1', done));
  const hallpass = `http://127.0.0.1:${hallpassPort}`;
  const proxied = `http://127.0.0.1:${caddyPort}`;
  const child = spawn(BIN, ['serve'], {
    env: {
      ...env,
      BIND: `127.0.0.1:${hallpassPort}`,
      TRUSTED_PROXIES: '127.0.0.1/32',
      PUBLIC_ORIGIN: hallpass,
      FORWARD_AUTH_ORIGINS: proxied,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  await waitUntilReady(hallpass, child);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hallpass-e2e-caddy-'));
  const caddyfile = fs
    .readFileSync(path.join(ROOT, 'scripts', 'caddy-forward-auth.Caddyfile'), 'utf8')
    .replaceAll('@PORT@', String(caddyPort))
    .replaceAll('@HALLPASS@', `127.0.0.1:${hallpassPort}`)
    .replaceAll('@APP@', `127.0.0.1:${appPort}`);
  fs.writeFileSync(path.join(dir, 'Caddyfile'), caddyfile);
  const caddy = spawn('caddy', ['run', '--adapter', 'caddyfile', '--config', path.join(dir, 'Caddyfile')], {
    env: { ...process.env, HOME: dir, XDG_DATA_HOME: dir, XDG_CONFIG_HOME: dir },
    stdio: ['ignore', 'ignore', 'ignore'],
  });
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const listening = await new Promise((done) => {
      const socket = net.connect(caddyPort, '127.0.0.1', () => done(socket.end() || true));
      socket.once('error', () => done(false));
    });
    if (listening) break;
    await new Promise((done) => setTimeout(done, 100));
  }
  return {
    hallpass,
    app: proxied,
    async stop() {
      caddy.kill('SIGTERM');
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGTERM');
      await exited;
      await new Promise((done) => app.close(done));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

module.exports = { startServer, startForwardAuth, CHROMIUM };
