// Latencies for bench/scale.sh, one request at a time (what one person waits for).
//
//   node measure.mjs get BASE PATH COOKIE [N]          p50 p99 of N GETs of PATH
//   node measure.mjs page BASE PATH COOKIE PAGE [N]    follows next_cursor to page PAGE
//                                                      (1-based, of PATH's limit), then
//                                                      times N GETs of it
//   node measure.mjs login BASE PASSWORD EMAILS_FILE   p50 p99 of a login per email
//   node measure.mjs steady BASE COOKIES_FILE RATE     validates RATE times a second,
//                                                      round robin, until SIGTERM
//
// Each prints one line: "p50_ms p99_ms requests failures" (page also the page's number
// and rows).
// Any answer but 200 counts as a failure; get, page and login stop at the first one.
import { readFileSync } from 'node:fs';

const [mode, base, ...rest] = process.argv.slice(2);

function percentile(sorted, p) {
    return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];
}

function summary(times, failures, extra = '') {
    const sorted = [...times].sort((a, b) => a - b);
    return `${percentile(sorted, 50).toFixed(2)} ${percentile(sorted, 99).toFixed(2)} ${times.length} ${failures}${extra}`;
}

async function timed(url, init) {
    const start = performance.now();
    const response = await fetch(url, init);
    const body = await response.text();
    const ms = performance.now() - start;
    if (response.status !== 200) throw new Error(`${url} answered ${response.status}: ${body.slice(0, 200)}`);
    return { ms, body };
}

const withCookie = (cookie) => ({ headers: { cookie: `hallpass_session=${cookie}` } });

async function repeat(url, cookie, n) {
    const times = [];
    for (let i = 0; i < n; i++) times.push((await timed(url, withCookie(cookie))).ms);
    return times;
}

async function get(path, cookie, n = '50') {
    await timed(`${base}${path}`, withCookie(cookie)); // warm-up
    console.log(summary(await repeat(`${base}${path}`, cookie, Number(n)), 0));
}

// Page PAGE of SIZE rows starts after row (PAGE - 1) * SIZE: the walk there takes the
// biggest pages (up to 200) that land on that row exactly, then times the page itself.
async function page(path, cookie, pageArg, n = '20') {
    const size = Number(new URL(path, base).searchParams.get('limit'));
    const skip = (Number(pageArg) - 1) * size;
    let step = 200;
    while (skip % step !== 0) step--;
    const withLimit = (limit, cursor) => {
        const url = new URL(path, base);
        url.searchParams.set('limit', limit);
        if (cursor) url.searchParams.set('cursor', cursor);
        return url.href;
    };
    let cursor;
    let skipped = 0;
    while (skipped < skip) {
        const next = JSON.parse((await timed(withLimit(step, cursor), withCookie(cookie))).body).next_cursor;
        if (!next) break; // fewer pages than asked: time the last page reached
        cursor = next;
        skipped += step;
    }
    const url = withLimit(size, cursor);
    const rows = JSON.parse((await timed(url, withCookie(cookie))).body).items.length;
    console.log(summary(await repeat(url, cookie, Number(n)), 0, ` ${skipped / size + 1} ${rows}`));
}

async function login(password, emailsFile) {
    const times = [];
    for (const email of readFileSync(emailsFile, 'utf8').split('\n').filter(Boolean)) {
        times.push((await timed(`${base}/api/auth/login`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ email, password }),
        })).ms);
    }
    console.log(summary(times, 0));
}

async function steady(cookiesFile, rateArg) {
    const cookies = readFileSync(cookiesFile, 'utf8').split('\n').filter(Boolean);
    const rate = Number(rateArg);
    const times = [];
    let failures = 0;
    let sent = 0;
    const start = performance.now();
    const inFlight = new Set();
    let stopping = false;
    process.on('SIGTERM', () => { stopping = true; });
    while (!stopping) {
        const due = Math.floor(((performance.now() - start) * rate) / 1000);
        for (; sent < due; sent++) {
            const cookie = cookies[sent % cookies.length];
            const request = timed(`${base}/api/auth/session`, withCookie(cookie))
                .then(({ ms }) => times.push(ms), () => { failures += 1; })
                .finally(() => inFlight.delete(request));
            inFlight.add(request);
        }
        await new Promise((resolve) => setTimeout(resolve, 2));
    }
    await Promise.all(inFlight);
    console.log(summary(times, failures));
}

const modes = { get, page, login, steady };
if (!modes[mode]) throw new Error(`unknown mode ${mode}`);
await modes[mode](...rest);
