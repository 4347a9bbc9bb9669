// How long a revocation takes to reach another instance.
//
//   node bench/propagation.mjs A_URL B_URL EMAIL PASSWORD [TRIALS] [BEFORE_REVOKE_CMD]
//
// Each trial logs in on A, has B validate the cookie twice (so B holds the session in
// its own memory), signs out on A, then polls B back to back until it refuses the
// cookie. Prints the time from A's answer to B's first refusal (p50, p99, max) and how
// many requests B accepted after the revocation. BEFORE_REVOKE_CMD, when given, is a
// shell command run just before each sign-out (e.g. killing the channel's connections).
import { execSync } from 'node:child_process';

const [a, b, email, password, trialsArg = '200', beforeRevoke = ''] = process.argv.slice(2);
const trials = Number(trialsArg);
const SESSION = '/api/auth/session';

async function login() {
    const response = await fetch(`${a}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password }),
    });
    if (response.status !== 200) throw new Error(`login answered ${response.status}`);
    const cookie = response.headers.getSetCookie().find((c) => c.startsWith('hallpass_session='));
    return cookie.split(';')[0];
}

async function status(url, cookie, method = 'GET') {
    const response = await fetch(url, { method, headers: { cookie } });
    await response.arrayBuffer();
    return response.status;
}

const delays = [];
let acceptedAfter = 0;
for (let trial = 0; trial < trials; trial++) {
    const cookie = await login();
    for (let warm = 0; warm < 2; warm++) {
        const seen = await status(`${b}${SESSION}`, cookie);
        if (seen !== 200) throw new Error(`B answered ${seen} before the revocation`);
    }
    if (beforeRevoke) execSync(beforeRevoke, { stdio: 'ignore' });
    const out = await status(`${a}/api/auth/logout`, cookie, 'POST');
    if (out !== 204) throw new Error(`logout answered ${out}`);
    const revokedAt = performance.now();
    for (;;) {
        const seen = await status(`${b}${SESSION}`, cookie);
        if (seen === 401) break;
        if (seen !== 200) throw new Error(`B answered ${seen}`);
        acceptedAfter++;
        if (performance.now() - revokedAt > 10_000) throw new Error('B still accepts after 10 s');
    }
    delays.push(performance.now() - revokedAt);
}
delays.sort((x, y) => x - y);
const at = (q) => delays[Math.min(delays.length - 1, Math.ceil(q * delays.length) - 1)];
console.log(
    `${trials} ${at(0.5).toFixed(1)} ${at(0.99).toFixed(1)} ${delays[delays.length - 1].toFixed(1)} ${acceptedAfter}`,
);
