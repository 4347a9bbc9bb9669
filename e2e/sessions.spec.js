// The SPA in a real browser against the real server: logins per role, the
// SessionInitializer's one `ensure` per page load, the Active Sessions panel revoking
// another browser, role guards, French pages, and the screenshots shown in the README.
const { test, expect } = require('@playwright/test');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const BASE = process.env.HALLPASS_URL;
const USERS = JSON.parse(process.env.HALLPASS_USERS || '{}');
// Written under target/ so that a test run leaves the tree clean; `bash scripts/screenshots.sh`
// copies them to docs/screenshots/ for the README.
const SCREENSHOTS = path.resolve(__dirname, '..', 'target', 'screenshots');

test.use({ baseURL: BASE });

/** Counts the page's `ensure` posts and fails the test on any console error about CSP. */
function watch(page) {
  const seen = { ensure: 0, initialized: 0, cspViolations: [] };
  page.on('request', (request) => {
    if (request.method() === 'POST' && new URL(request.url()).pathname === '/api/sessions/ensure') {
      seen.ensure += 1;
    }
  });
  page.on('console', (message) => {
    if (message.text() === 'Session initialized in store') {
      seen.initialized += 1;
    }
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) {
      seen.cspViolations.push(message.text());
    }
  });
  return seen;
}

async function logIn(page, persona, locale = 'en') {
  const user = USERS[persona];
  await page.goto(`/${locale}/login`);
  await page.locator('#email').fill(user.email);
  await page.locator('#password').fill(user.password);
  await page.locator('button[type=submit]').click();
  return user;
}

const DASHBOARDS = {
  student: { path: '/en/student', heading: 'Student dashboard' },
  teacher: { path: '/en/teacher', heading: 'Teacher dashboard' },
  admin: { path: '/en/admin', heading: 'Admin console' },
};

for (const [persona, dashboard] of Object.entries(DASHBOARDS)) {
  test(`${persona} logs in through the form and lands on their dashboard`, async ({ page }) => {
    const seen = watch(page);
    const user = await logIn(page, persona);
    await expect(page).toHaveURL(BASE + dashboard.path);
    await expect(page.getByRole('heading', { name: dashboard.heading })).toBeVisible();
    await expect(page.locator('.topbar .who')).toContainText(user.name);
    await expect.poll(() => seen.ensure).toBe(1);
    expect(seen.cspViolations).toEqual([]);
  });
}

/** The WebAssembly bundle a built page loads (`/index.html` or `/admin.html`). */
async function bundleOf(request, page) {
  const html = await (await request.get(page)).text();
  return html.match(/[\w-]+_bg\.wasm/)[0];
}

test('students load the app without the admin console; admins load the console apart', async ({ browser, request }) => {
  const [main, admin] = [await bundleOf(request, '/index.html'), await bundleOf(request, '/admin.html')];
  expect(main).not.toEqual(admin);
  const loaded = async (persona, dashboard) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const wasm = [];
    page.on('request', (request) => {
      if (request.url().endsWith('.wasm')) wasm.push(path.basename(new URL(request.url()).pathname));
    });
    await logIn(page, persona);
    await expect(page.getByRole('heading', { name: dashboard })).toBeVisible();
    return { page, context, wasm };
  };

  const student = await loaded('student', 'Student dashboard');
  expect(student.wasm).toEqual([main]);
  await student.context.close();

  // The admin signs in on the main bundle; the console's route loads its own page, once.
  const seen = await loaded('admin', 'Admin console');
  expect(seen.wasm).toEqual([main, admin]);
  await expect(seen.page.getByRole('columnheader', { name: 'Last sign-in' })).toBeVisible();
  // In the console's bundle the rest of the app stays in the page (no further load).
  await seen.page.getByRole('link', { name: 'Profile' }).click();
  await expect(seen.page.locator('.session-card.current')).toBeVisible();
  await seen.page.goBack();
  await expect(seen.page.getByRole('heading', { name: 'Admin console' })).toBeVisible();
  expect(seen.wasm).toEqual([main, admin]);
  await seen.context.close();
});

test('ensure is posted once per page load and never on in-app navigation', async ({ page }) => {
  const seen = watch(page);
  await logIn(page, 'teacher');
  await expect(page).toHaveURL(`${BASE}/en/teacher`);
  await expect.poll(() => seen.ensure).toBe(1);

  await page.getByRole('link', { name: 'Profile' }).click();
  await expect(page.locator('.session-card.current')).toBeVisible();
  await page.getByRole('link', { name: 'Dashboard' }).click();
  await expect(page.getByRole('heading', { name: 'Teacher dashboard' })).toBeVisible();
  await page.getByRole('link', { name: 'Français' }).click();
  await expect(page).toHaveURL(`${BASE}/fr/teacher`);
  await expect(page.getByRole('heading', { name: 'Espace enseignant' })).toBeVisible();
  expect(seen.ensure).toBe(1);
  expect(seen.initialized).toBe(1);

  await page.reload();
  await expect(page.getByRole('heading', { name: 'Espace enseignant' })).toBeVisible();
  await expect.poll(() => seen.ensure).toBe(2);
});

test('the profile panel marks this device; the login page and panel are screenshotted', async ({ page }) => {
  await page.goto('/en/login');
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await page.screenshot({ path: path.join(SCREENSHOTS, 'login.png') });

  await logIn(page, 'student');
  await expect(page.getByRole('heading', { name: 'Welcome, Ada Student' })).toBeVisible();
  await page.screenshot({ path: path.join(SCREENSHOTS, 'student-dashboard.png') });

  await page.getByRole('link', { name: 'Profile' }).click();
  const current = page.locator('.session-card.current');
  await expect(current).toContainText('This device');
  await expect(current).toContainText('Chrome');
  await expect(current).toContainText('127.0.0.1');
  const activity = page.locator('section', { has: page.getByRole('heading', { name: 'Recent activity' }) });
  // History reads as sentences, not as event names and raw details.
  await expect(activity.locator('tbody')).toContainText('Signed in');
  await expect(activity.locator('tbody')).toContainText('Session opened at sign-in');
  await page.locator('#active-sessions-title').locator('..').locator('..').screenshot({
    path: path.join(SCREENSHOTS, 'active-sessions.png'),
  });
});

test('a session revoked from the panel sends the other browser to the login page', async ({ browser }) => {
  const first = await browser.newContext({ baseURL: BASE });
  const second = await browser.newContext({ baseURL: BASE });
  const mine = await first.newPage();
  const theirs = await second.newPage();

  await logIn(theirs, 'traveller');
  await expect(theirs).toHaveURL(`${BASE}/en/student`);
  await logIn(mine, 'traveller');
  await mine.getByRole('link', { name: 'Profile' }).click();
  await expect(mine.locator('.session-card')).toHaveCount(2);

  const other = mine.locator('.session-card:not(.current)');
  await other.getByRole('button', { name: /^Sign out/ }).click();
  await other.getByRole('button', { name: 'Yes, sign it out' }).click();
  // The outcome names the session, and keyboard focus lands on it.
  const outcome = mine.getByText(/^Signed out: .+\.$/);
  await expect(outcome).toBeVisible();
  await expect(outcome).toBeFocused();
  await expect(mine.locator('.session-card')).toHaveCount(1);
  await expect(mine.locator('.session-card.current')).toBeVisible();
  const activity = mine.locator('section', { has: mine.getByRole('heading', { name: 'Recent activity' }) });
  await expect(activity.locator('tbody tr').first()).toContainText('You signed out a session');

  await theirs.getByRole('link', { name: 'Profile' }).click();
  await expect(theirs).toHaveURL(`${BASE}/en/login`);
  // Told why: the owner signed it out from another device.
  await expect(theirs.getByText('This session was signed out from another of your devices.')).toBeVisible();

  await first.close();
  await second.close();
});

test('signing out all other sessions ends them; a tab notices when it is looked at again', async ({ browser }) => {
  const contexts = await Promise.all([0, 1, 2].map(() => browser.newContext({ baseURL: BASE })));
  const [mine, idle, busy] = await Promise.all(contexts.map((context) => context.newPage()));
  for (const page of [idle, busy, mine]) {
    await logIn(page, 'commuter');
    await expect(page).toHaveURL(`${BASE}/en/teacher`);
  }
  await mine.getByRole('link', { name: 'Profile' }).click();
  await expect(mine.locator('.session-card')).toHaveCount(3);
  await mine.getByRole('button', { name: 'Sign out all other sessions' }).click();
  await mine.getByRole('button', { name: 'Sign out all other sessions' }).click();
  await expect(mine.getByText('2 other sessions signed out.')).toBeVisible();
  await expect(mine.locator('.session-card')).toHaveCount(1);

  // The idle tab does nothing but regain focus.
  await idle.bringToFront();
  await idle.evaluate(() => window.dispatchEvent(new Event('focus')));
  await expect(idle).toHaveURL(`${BASE}/en/login`);
  await expect(idle.getByText('This session was signed out from another of your devices.')).toBeVisible();
  // The other one reloads.
  await busy.reload();
  await expect(busy).toHaveURL(`${BASE}/en/login`);
  // This one stays signed in.
  await mine.reload();
  await expect(mine.locator('.session-card.current')).toBeVisible();
  await Promise.all(contexts.map((context) => context.close()));
});

test('a password change signs out the other sessions; the new password works', async ({ browser }) => {
  const [here, there] = await Promise.all([0, 1].map(() => browser.newContext({ baseURL: BASE })));
  const [mine, other] = await Promise.all([here.newPage(), there.newPage()]);
  await logIn(other, 'forgetful');
  await expect(other).toHaveURL(`${BASE}/en/student`);
  await logIn(mine, 'forgetful');
  await mine.getByRole('link', { name: 'Profile' }).click();
  await expect(mine.locator('.session-card')).toHaveCount(2);

  const form = mine.locator('form', { has: mine.getByLabel('Current password') });
  const fresh = 'a brand new passphrase';
  const [current, chosen, repeated] = ['Current password', 'New password', 'Repeat the new password']
    .map((label) => form.getByLabel(label, { exact: true }));
  // Each problem is said under the field it belongs to, which takes the focus.
  await current.fill('not my password');
  await chosen.fill('short');
  await repeated.fill('short');
  await form.getByRole('button', { name: 'Change password' }).click();
  await expect(form.locator('#new-password-error')).toHaveText('The new password must be 10 to 256 characters long.');
  await expect(chosen).toBeFocused();
  await expect(chosen).toHaveAttribute('aria-invalid', 'true');
  await expect(form.locator('#repeat-password-error')).toHaveCount(0);
  await chosen.fill(fresh);
  await form.getByRole('button', { name: 'Change password' }).click();
  await expect(form.locator('#repeat-password-error')).toHaveText('The two new passwords differ.');
  await expect(repeated).toBeFocused();
  await repeated.fill(fresh);
  await form.getByRole('button', { name: 'Change password' }).click();
  // The form asks for no email, so the message names the field it does ask for.
  await expect(form.locator('#current-password-error')).toHaveText(
    'Your current password is not right: the password was not changed.',
  );
  await expect(current).toBeFocused();

  await form.getByLabel('Current password').fill(USERS.forgetful.password);
  await form.getByRole('button', { name: 'Change password' }).click();
  await expect(form.getByText('Password changed. Your other sessions were signed out.')).toBeVisible();
  await expect(mine.locator('.session-card')).toHaveCount(1);
  // The history says what happened and how many sessions it ended.
  await mine.reload();
  const activity = mine.locator('section', { has: mine.getByRole('heading', { name: 'Recent activity' }) });
  await expect(activity.locator('.event-sentence', { hasText: /^Password changed: 1 other session signed out$/ })).toBeVisible();

  await other.getByRole('link', { name: 'Profile' }).click();
  await expect(other).toHaveURL(`${BASE}/en/login`);
  await expect(other.getByRole('status')).toHaveText(
    'Your password was changed, so this session was signed out. Sign in with the new password.',
  );
  await other.locator('#email').fill(USERS.forgetful.email);
  await other.locator('#password').fill(fresh);
  await other.locator('button[type=submit]').click();
  // Back on the page it was going to.
  await expect(other).toHaveURL(`${BASE}/en/profile`);
  await here.close();
  await there.close();
});

test('a student visiting the admin console lands on their own dashboard', async ({ page }) => {
  await logIn(page, 'student');
  await expect(page).toHaveURL(`${BASE}/en/student`);
  await page.goto('/en/admin');
  await expect(page).toHaveURL(`${BASE}/en/student`);
  await expect(page.getByRole('heading', { name: 'Student dashboard' })).toBeVisible();
});

test('visitors without a session are sent to the login page', async ({ page }) => {
  await page.goto('/en/profile');
  await expect(page).toHaveURL(`${BASE}/en/login`);
  await page.goto('/');
  await expect(page).toHaveURL(/\/(en|fr)\/login$/);
  await page.goto('/de/login');
  await expect(page).toHaveURL(/\/(en|fr)\/login$/);
  await page.goto('/en/no-such-page');
  await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
});

test('French pages are in French', async ({ page }) => {
  await page.goto('/fr/login');
  await expect(page.getByRole('heading', { name: 'Se connecter' })).toBeVisible();
  await expect(page.getByLabel('Mot de passe')).toBeVisible();

  await page.locator('#email').fill(USERS.teacher.email);
  await page.locator('#password').fill('not the password');
  await page.locator('button[type=submit]').click();
  await expect(page.getByRole('alert')).toHaveText('Adresse e-mail ou mot de passe incorrect.');

  await logIn(page, 'teacher', 'fr');
  await expect(page).toHaveURL(`${BASE}/fr/teacher`);
  await expect(page.getByRole('heading', { name: 'Bienvenue, Grace Teacher' })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'fr');
  await expect(page).toHaveTitle('Espace enseignant · Hallpass');
  await page.getByRole('link', { name: 'Profil' }).click();
  await expect(page.getByRole('heading', { name: 'Sessions actives' })).toBeVisible();
  await expect(page.locator('.session-card.current')).toContainText('Cet appareil');
});

test('an admin oversees users, revokes their sessions and reads the audit trail', async ({ page, browser }) => {
  // The teacher has a session somewhere else for the admin to end.
  const elsewhere = await browser.newContext({ baseURL: BASE });
  const teacherPage = await elsewhere.newPage();
  await logIn(teacherPage, 'teacher');
  await expect(teacherPage).toHaveURL(`${BASE}/en/teacher`);

  await logIn(page, 'admin');
  await expect(page.getByRole('heading', { name: 'Admin console' })).toBeVisible();
  await page.getByLabel('Search users').fill('grace');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  const rows = page.locator('table').first().locator('tbody tr');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText(USERS.teacher.email);

  await rows.first().getByRole('button', { name: `Sessions ${USERS.teacher.email}` }).click();
  const sessions = page.locator('section', { has: page.getByRole('heading', { name: 'Sessions of Grace Teacher' }) });
  await expect(sessions.locator('.session-card').first()).toBeVisible();
  await page.screenshot({ path: path.join(SCREENSHOTS, 'admin-console.png'), fullPage: true });

  await sessions.getByRole('button', { name: 'Sign out all their sessions' }).click();
  await expect(sessions.getByText('Sign out every session of this user?')).toBeVisible();
  await sessions.getByRole('button', { name: 'Sign out all their sessions' }).click();
  await expect(sessions.getByText('This user has no active session.')).toBeVisible();
  await expect(page.locator('.admin-status')).toHaveText(
    new RegExp(`^\\d+ sessions? of ${USERS.teacher.email.replaceAll('.', '\\.')} signed out\\.$`),
  );

  const audit = page.locator('section', { has: page.getByRole('heading', { name: 'Audit trail' }) });
  await audit.getByLabel('Event').selectOption('session_revoked');
  await audit.getByRole('button', { name: 'Filter' }).click();
  // The sessions one action signed out read as one sentence; the reader is "You".
  const latest = audit.locator('tbody tr').first();
  await expect(latest.locator('.event-sentence')).toHaveText(/^You signed out (a session|\d+ sessions)$/);
  await expect(latest).toContainText(USERS.teacher.email);
  await expect(latest).not.toContainText('reason=');

  await teacherPage.reload();
  await expect(teacherPage).toHaveURL(`${BASE}/en/login`);
  // The teacher reads who did it, by name, in their own language.
  await logIn(teacherPage, 'teacher');
  await expect(teacherPage).toHaveURL(`${BASE}/en/teacher`);
  await teacherPage.goto('/fr/profile');
  const history = teacherPage.locator('section', { has: teacherPage.getByRole('heading', { name: 'Activité récente' }) });
  await expect(history.locator('.event-sentence', { hasText: /^Alan Admin a déconnecté (une session|\d+ sessions)$/ }).first()).toBeVisible();
  await elsewhere.close();
});

test('an admin adds a user, changes roles, and cannot demote the last admin', async ({ page, browser }) => {
  await logIn(page, 'admin');
  const form = page.locator('section', { has: page.getByRole('heading', { name: 'Add a user' }) });
  await form.getByLabel('Name').fill('Nia Newcomer');
  await form.getByLabel('Email').fill('nia@e2e.hallpass.test');
  // The least privileged role is the default: an account added in a hurry is no admin.
  await expect(form.getByLabel('Role')).toHaveValue('student');
  await form.getByLabel('Role').selectOption('teacher');
  await form.getByLabel('First password').fill('welcome to the school');
  await form.getByRole('button', { name: 'Add a user' }).click();
  await expect(page.locator('.admin-status')).toHaveText('nia@e2e.hallpass.test can now sign in, as Teacher.');
  // The new account shows in the list at once, whatever was searched before; the form
  // is ready for the next one.
  await expect(page.getByLabel('Search users')).toHaveValue('nia@e2e.hallpass.test');
  await expect(page.getByLabel('Role of nia@e2e.hallpass.test')).toHaveValue('teacher');
  await expect(form.getByLabel('Name')).toBeFocused();

  await form.getByLabel('Name').fill('Nia Again');
  await form.getByLabel('Email').fill('NIA@e2e.hallpass.test');
  await form.getByLabel('First password').fill('welcome to the school');
  // The role chosen for the previous account is not carried over to the next.
  await expect(form.getByLabel('Role')).toHaveValue('student');
  await form.getByRole('button', { name: 'Add a user' }).click();
  await expect(form.getByRole('alert')).toHaveText('A user with this email already exists.');

  await page.getByLabel('Search users').fill('nia');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  const role = page.getByLabel('Role of nia@e2e.hallpass.test');
  await expect(role).toHaveValue('teacher');
  await role.selectOption('student');
  await expect(page.locator('.admin-status')).toHaveText('nia@e2e.hallpass.test is now Student.');
  const audit = page.locator('section', { has: page.getByRole('heading', { name: 'Audit trail' }) });
  await expect(audit.locator('tbody tr').first()).toContainText('You changed the role from Teacher to Student');

  const newcomer = await browser.newContext({ baseURL: BASE });
  const theirs = await newcomer.newPage();
  await theirs.goto('/en/login');
  await theirs.locator('#email').fill('nia@e2e.hallpass.test');
  await theirs.locator('#password').fill('welcome to the school');
  await theirs.locator('button[type=submit]').click();
  await expect(theirs).toHaveURL(`${BASE}/en/student`);
  await newcomer.close();

  await page.getByLabel('Search users').fill(USERS.admin.email);
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  const own = page.getByLabel(`Role of ${USERS.admin.email}`);
  await own.selectOption('teacher');
  await expect(page.getByText('The last active admin cannot be deactivated or demoted.')).toBeVisible();
  await expect(own).toHaveValue('admin');
});

test('a pupil on a shared computer gets a cookie that ends with the browser, and the box stays ticked there', async ({ browser }) => {
  const lab = await browser.newContext({ baseURL: BASE });
  const page = await lab.newPage();
  await page.goto('/en/login');
  const shared = page.getByLabel('This is a shared computer');
  await expect(shared).not.toBeChecked();
  await page.locator('#email').fill(USERS.labmate.email);
  await page.locator('#password').fill(USERS.labmate.password);
  await shared.check();
  await page.locator('button[type=submit]').click();
  await expect(page).toHaveURL(`${BASE}/en/student`);
  const cookies = await lab.cookies();
  const session = cookies.find((cookie) => cookie.name === 'hallpass_session');
  expect(session.expires, 'a browser-session cookie').toBe(-1);
  expect(cookies.map((cookie) => cookie.name)).not.toContain('hallpass_device');
  await page.goto('/en/profile');
  await expect(page.locator('.session-card.current')).toContainText('Shared computer');

  // The next pupil at this computer finds the box ticked.
  await page.locator('header').getByRole('button', { name: 'Sign out', exact: true }).click();
  await expect(page).toHaveURL(`${BASE}/en/login`);
  await expect(page.getByLabel('This is a shared computer')).toBeChecked();
  await lab.close();
});

test('an admin past the re-authentication window confirms the password in a dialog, and the change happens', async ({ page }) => {
  await logIn(page, 'admin');
  await expect(page).toHaveURL(`${BASE}/en/admin`);
  const form = page.locator('section', { has: page.getByRole('heading', { name: 'Add a user' }) });
  await form.getByLabel('Name').fill('Rae Reauth');
  await form.getByLabel('Email').fill('rae@e2e.hallpass.test');
  await form.getByLabel('First password').fill('welcome to the school');
  await form.getByRole('button', { name: 'Add a user' }).click();
  await expect(page.locator('.admin-status')).toHaveText('rae@e2e.hallpass.test can now sign in, as Student.');
  // This browser last proved the password eleven minutes ago (the window is ten).
  const { session } = await (await page.request.get('/api/auth/session')).json();
  const { DATABASE_URL } = JSON.parse(process.env.HALLPASS_SERVER_ENV);
  execFileSync('psql', [DATABASE_URL, '-qAt', '-c',
    `UPDATE user_sessions SET authenticated_at = now() - interval '11 minutes' WHERE id = '${session.id}'`]);

  const role = page.getByLabel('Role of rae@e2e.hallpass.test');
  await role.focus();
  await role.selectOption('teacher');
  const dialog = page.getByRole('dialog', { name: 'Confirm your password' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByLabel('Password')).toBeFocused();
  await dialog.getByLabel('Password').fill('not my password');
  await dialog.getByRole('button', { name: 'Confirm' }).click();
  await expect(dialog.getByRole('alert')).toHaveText('That is not your password.');
  await expect(dialog.getByLabel('Password')).toBeFocused();
  await dialog.getByLabel('Password').fill(USERS.admin.password);
  await dialog.getByRole('button', { name: 'Confirm' }).click();
  await expect(dialog).toBeHidden();
  // The act the admin asked for is made once confirmed, and said as usual.
  await expect(page.locator('.admin-status')).toHaveText('rae@e2e.hallpass.test is now Teacher.');
  await expect(role).toHaveValue('teacher');
  await expect(role).toBeFocused();
  const audit = page.locator('section', { has: page.getByRole('heading', { name: 'Audit trail' }) });
  await expect(audit.locator('tbody tr').first()).toContainText('You changed the role from Student to Teacher');
});

test('a deactivated user who signs in is told the account is deactivated, not that a session ended', async ({ page, browser }) => {
  await logIn(page, 'admin');
  await expect(page).toHaveURL(`${BASE}/en/admin`);
  // An account of its own, deactivated through the API with the admin's session.
  const email = 'dee@e2e.hallpass.test';
  const created = await page.request.post('/api/admin/users', {
    data: { name: 'Dee Departed', email, role: 'student', password: 'welcome to the school' },
  });
  expect(created.status()).toBe(201);
  const { id } = await created.json();
  const deactivated = await page.request.patch(`/api/admin/users/${id}`, { data: { is_active: false } });
  expect(deactivated.status()).toBe(200);

  const theirs = await (await browser.newContext({ baseURL: BASE })).newPage();
  await theirs.goto('/en/login');
  await theirs.locator('#email').fill(email);
  await theirs.locator('#password').fill('welcome to the school');
  await theirs.locator('button[type=submit]').click();
  await expect(theirs.getByRole('alert')).toHaveText(
    "This account is deactivated. Ask your school's Hallpass administrator to reactivate it.",
  );
  await expect(theirs.getByText('Your session has ended')).toHaveCount(0);
});

test('the users table filters by role and status, sorts by last sign-in, and counts open sessions', async ({ page }) => {
  await logIn(page, 'admin');
  const users = page.locator('section', { has: page.getByRole('heading', { name: 'Users', exact: true }) });
  const rows = users.locator('tbody tr');
  await expect(rows.first()).toBeVisible();

  // Each menu applies at once; the rows that were there before must all be gone.
  await users.locator('.filters').getByLabel('Role').selectOption('teacher');
  await expect.poll(async () => {
    const roles = await rows.getByRole('combobox').evaluateAll((selects) => selects.map((select) => select.value));
    return roles.length > 0 && roles.every((role) => role === 'teacher');
  }).toBe(true);
  await users.locator('.filters').getByLabel('Role').selectOption('');

  // Whoever signed in last comes first: the admin, just now, with an open session.
  await users.locator('.filters').getByLabel('Sort by').selectOption('last_sign_in');
  await expect(rows.first()).toContainText(USERS.admin.email);
  await expect(rows.first().locator('td[data-label="Last sign-in"]')).toContainText('just now');
  await expect(rows.first().locator('td[data-label="Open sessions"]')).not.toHaveText('0');

  await users.locator('.filters').getByLabel('Status').selectOption('false');
  await expect.poll(async () => {
    if (await users.locator('.empty').isVisible()) return true;
    const statuses = await rows.locator('td[data-label="Status"]').allTextContents();
    return statuses.length > 0 && statuses.every((status) => status.trim() === 'Deactivated');
  }).toBe(true);
  await expect(rows.filter({ hasText: USERS.admin.email })).toHaveCount(0);
});

test('every admin action says what it did, and reactivating asks first', async ({ page }) => {
  await logIn(page, 'admin');
  const form = page.locator('section', { has: page.getByRole('heading', { name: 'Add a user' }) });
  await form.getByLabel('Name').fill('Ola Onleave');
  await form.getByLabel('Email').fill('ola@e2e.hallpass.test');
  await form.getByLabel('First password').fill('welcome to the school');
  await form.getByRole('button', { name: 'Add a user' }).click();
  const status = page.locator('.admin-status');
  await expect(status).toHaveText('ola@e2e.hallpass.test can now sign in, as Student.');
  const users = page.locator('section', { has: page.getByRole('heading', { name: 'Users' }) });
  const row = users.locator('tbody tr', { hasText: 'ola@e2e.hallpass.test' });

  await row.getByRole('button', { name: 'Deactivate ola@e2e.hallpass.test' }).click();
  await row.getByRole('button', { name: 'Deactivate', exact: true }).click();
  // The earlier "can now sign in" gives way to what was just done.
  await expect(status).toHaveText(
    'ola@e2e.hallpass.test is deactivated: they cannot sign in, and every session of theirs was signed out.',
  );
  await expect(row).toContainText('Deactivated');

  await row.getByRole('button', { name: 'Reactivate ola@e2e.hallpass.test' }).click();
  await expect(row.getByText('Let this user sign in again?')).toBeVisible();
  await expect(row).toContainText('Deactivated');
  await row.getByRole('button', { name: 'Reactivate', exact: true }).click();
  await expect(status).toHaveText('ola@e2e.hallpass.test can sign in again.');
  await expect(row).toContainText('Active');
});

test('an admin corrects a name and an email, and gives a new password that signs the user out', async ({ page, browser }) => {
  await logIn(page, 'admin');
  const form = page.locator('section', { has: page.getByRole('heading', { name: 'Add a user' }) });
  await form.getByLabel('Name').fill('Rhea Rename');
  await form.getByLabel('Email').fill('rhea@e2e.hallpass.test');
  await form.getByLabel('First password').fill('first password 123');
  await form.getByRole('button', { name: 'Add a user' }).click();
  const status = page.locator('.admin-status');
  await expect(status).toContainText('rhea@e2e.hallpass.test can now sign in');

  // Rhea signs in elsewhere.
  const theirs = await (await browser.newContext()).newPage();
  await theirs.goto('/en/login');
  await theirs.locator('#email').fill('rhea@e2e.hallpass.test');
  await theirs.locator('#password').fill('first password 123');
  await theirs.locator('button[type=submit]').click();
  await expect(theirs).toHaveURL(`${BASE}/en/student`);

  const users = page.locator('section', { has: page.getByRole('heading', { name: 'Users', exact: true }) });
  await users.getByRole('button', { name: 'Sessions rhea@e2e.hallpass.test' }).click();
  const account = page.locator('section', { has: page.getByRole('heading', { name: 'Account of Rhea Rename' }) });
  const email = account.getByLabel('Email');

  // Someone else's email is refused under the field, which takes the focus.
  await email.fill(USERS.student.email);
  await account.getByRole('button', { name: 'Save' }).click();
  await expect(account.locator('#account-email-error')).toHaveText('A user with this email already exists.');
  await expect(email).toBeFocused();
  await expect(email).toHaveAttribute('aria-invalid', 'true');
  await expect(email, 'what was typed stays').toHaveValue(USERS.student.email);

  await account.getByLabel('Name').fill('Rhea Renamed');
  await email.fill('Rhea.Renamed@e2e.hallpass.test');
  await account.getByRole('button', { name: 'Save' }).click();
  await expect(status).toHaveText('Changes to rhea.renamed@e2e.hallpass.test saved.');
  await expect(page.getByRole('heading', { name: 'Account of Rhea Renamed' })).toBeVisible();
  await expect(users.locator('tbody tr', { hasText: 'rhea.renamed@e2e.hallpass.test' })).toContainText('Rhea Renamed');
  await expect(account.locator('.field-error')).toHaveCount(0);

  // A new password: too short is said under its field; a good one signs Rhea out.
  const renamed = page.locator('section', { has: page.getByRole('heading', { name: 'Account of Rhea Renamed' }) });
  await renamed.getByLabel('New password', { exact: true }).fill('short');
  await renamed.getByRole('button', { name: 'Set the new password' }).click();
  await expect(renamed.locator('#account-password-error')).toHaveText('The new password must be 10 to 256 characters long.');
  await renamed.getByLabel('New password', { exact: true }).fill('given by the admin');
  await renamed.getByRole('button', { name: 'Set the new password' }).click();
  await expect(status).toHaveText('New password set for rhea.renamed@e2e.hallpass.test: 1 session signed out.');
  await expect(renamed.getByLabel('New password', { exact: true })).toHaveValue('');

  // Rhea's tab finds out on its next page.
  await theirs.getByRole('link', { name: 'Profile' }).click();
  await expect(theirs).toHaveURL(`${BASE}/en/login`);
  await expect(theirs.getByText('Your password was changed')).toBeVisible();
  await theirs.locator('#email').fill('rhea.renamed@e2e.hallpass.test');
  await theirs.locator('#password').fill('given by the admin');
  await theirs.locator('button[type=submit]').click();
  // Back to the page she was going to.
  await expect(theirs).toHaveURL(`${BASE}/en/profile`);

  // The admin asks her to choose a password of her own: every page asks for it first.
  await renamed.getByLabel('Ask for a new password at the next sign-in').check();
  await expect(status).toHaveText('rhea.renamed@e2e.hallpass.test must choose a new password at their next sign-in.');
  await expect(users.locator('tbody tr', { hasText: 'rhea.renamed@e2e.hallpass.test' }).locator('td[data-label="Status"]'))
    .toHaveText('Active · new password asked');
  await theirs.getByRole('link', { name: 'Dashboard' }).click();
  await expect(theirs.getByRole('heading', { name: 'Choose a new password' })).toBeVisible();
  await expect(theirs.getByText('An administrator asked you to choose a new password')).toBeVisible();
  await expect(theirs.getByRole('heading', { name: 'Student dashboard' })).toHaveCount(0);
  await theirs.locator('#current-password').fill('given by the admin');
  await theirs.locator('#new-password').fill('one of my very own');
  await theirs.locator('#repeat-password').fill('one of my very own');
  await theirs.getByRole('button', { name: 'Change password' }).click();
  await expect(theirs.getByRole('heading', { name: 'Student dashboard' })).toBeVisible();
  await theirs.context().close();

  // The admin's console shows the demand was met.
  await page.reload();
  await users.getByRole('button', { name: 'Sessions rhea.renamed@e2e.hallpass.test' }).click();
  await expect(page.getByLabel('Ask for a new password at the next sign-in')).not.toBeChecked();
});

test('French words agree with what they describe', async ({ page }) => {
  await logIn(page, 'admin', 'fr');
  await expect(page).toHaveURL(`${BASE}/fr/admin`);
  // An account (un utilisateur) is "Créé"; a session (une session) is "Créée".
  await expect(page.getByRole('columnheader', { name: 'Créé', exact: true })).toBeVisible();
  const form = page.locator('section', { has: page.getByRole('heading', { name: 'Ajouter un utilisateur' }) });
  await form.getByRole('button', { name: 'Ajouter un utilisateur' }).click();
  await expect(form.getByRole('alert')).toHaveText('Saisissez un nom.');
});

const FIREFOX_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0';

test('a sign-in from a new device is asked about in every tab, and "no" signs it out', async ({ browser }) => {
  // At home in France: two tabs of one browser.
  const home = await browser.newContext({ baseURL: BASE, extraHTTPHeaders: { 'X-Forwarded-For': '90.0.0.1' } });
  const [tab, otherTab] = await Promise.all([home.newPage(), home.newPage()]);
  await logIn(tab, 'wanderer');
  await expect(tab).toHaveURL(`${BASE}/en/student`);
  // Somebody else, on another device in the United States.
  const away = await browser.newContext({
    baseURL: BASE,
    userAgent: FIREFOX_WINDOWS,
    extraHTTPHeaders: { 'X-Forwarded-For': '8.8.8.8' },
  });
  const intruder = await away.newPage();
  await logIn(intruder, 'wanderer');
  await expect(intruder).toHaveURL(`${BASE}/en/student`);

  // Both tabs ask, the next time a page is opened.
  const question = /^New sign-in on Firefox 133 · Windows 10, United States, \d{1,2}:\d{2}( [AP]M)? — was this you\?$/;
  await tab.goto('/en/student');
  await expect(tab.locator('.new-device p')).toHaveText(question);
  await otherTab.goto('/en/profile');
  await expect(otherTab.locator('.new-device p')).toHaveText(question);
  const cards = otherTab.locator('.session-card');
  await expect(cards).toHaveCount(2);
  await expect(otherTab.locator('.session-card:not(.current)')).toContainText('New device');
  await expect(otherTab.locator('.session-card:not(.current) .session-location')).toHaveText('United States');
  await expect(otherTab.locator('.session-card.current .session-location')).toHaveText('France');
  // Country names in the reader's language.
  await otherTab.goto('/fr/profile');
  await expect(otherTab.locator('.session-card:not(.current) .session-location')).toHaveText('États-Unis');
  await expect(otherTab.locator('.new-device p')).toContainText('Nouvelle connexion sur Firefox 133 · Windows 10, États-Unis');

  // "No" in one tab: that session ends, the password change is offered.
  await tab.getByRole('button', { name: 'No, sign it out' }).click();
  await expect(tab.getByText('Firefox 133 · Windows 10 was signed out.')).toBeVisible();
  await expect(tab.getByRole('link', { name: 'Change password' })).toBeVisible();
  // The outcome takes the keyboard focus the answered button had.
  await expect(tab.locator('.new-device-notices .banner.ok')).toBeFocused();
  await expect(tab.locator('.new-device')).toHaveCount(0);
  // Asked once: the other tab stops asking at its next page.
  await otherTab.getByRole('link', { name: 'Tableau de bord' }).click();
  await expect(otherTab.getByRole('heading', { name: 'Espace élève' })).toBeVisible();
  await expect(otherTab.locator('.new-device')).toHaveCount(0);
  // The other browser is signed out at its next navigation.
  await intruder.getByRole('link', { name: 'Profile' }).click();
  await expect(intruder).toHaveURL(`${BASE}/en/login`);

  // The activity list says where each sign-in was, and marks the new one.
  await tab.goto('/en/profile');
  const activity = tab.locator('section', { has: tab.getByRole('heading', { name: 'Recent activity' }) });
  const signIns = activity.locator('tbody tr', { has: tab.locator('.event-sentence', { hasText: /^Signed in/ }) });
  await expect(signIns.filter({ hasText: 'United States' })).toContainText('New device');
  await expect(signIns.filter({ hasText: 'France' }).first()).toBeVisible();

  // The owner names the session that is theirs.
  const mine = tab.locator('.session-card.current');
  await mine.getByRole('button', { name: /^Rename/ }).click();
  await mine.getByLabel('Session name').fill('Kitchen laptop');
  await mine.getByRole('button', { name: 'Save' }).click();
  await expect(tab.getByText('Session renamed.')).toBeVisible();
  await expect(mine.locator('h3')).toContainText('Kitchen laptop');
  await Promise.all([home.close(), away.close()]);
});

test('sessions are told apart: this device first, short versions, system names, programs by name, new ones on focus', async ({ browser, playwright }) => {
  const mac = await browser.newContext({
    baseURL: BASE,
    userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.81 Safari/537.36',
  });
  const phone = await browser.newContext({
    baseURL: BASE,
    userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  });
  const curl = async () => {
    const client = await playwright.request.newContext({ baseURL: BASE, userAgent: 'curl/8.5.0' });
    const answer = await client.post('/api/auth/login', { data: { email: USERS.juggler.email, password: USERS.juggler.password } });
    expect(answer.status()).toBe(200);
    return client;
  };
  const laptop = await mac.newPage();
  await logIn(laptop, 'juggler');
  await expect(laptop).toHaveURL(`${BASE}/en/teacher`);
  const onPhone = await phone.newPage();
  await logIn(onPhone, 'juggler');
  await expect(onPhone).toHaveURL(`${BASE}/en/teacher`);
  const script = await curl();

  await laptop.goto('/en/profile');
  const cards = laptop.locator('.session-card');
  await expect(cards).toHaveCount(3);
  await expect(cards.first()).toHaveClass(/current/);
  await expect(cards.first().locator('h3')).toContainText('Chrome 131 · macOS 10.15.7');
  await expect(laptop.locator('.session-card h3', { hasText: 'Safari 17 · iOS 17.5' })).toHaveCount(1);
  await expect(laptop.locator('.session-card h3', { hasText: 'curl 8.5.0' })).toHaveCount(1);
  await expect(laptop.locator('.session-list')).not.toContainText('131.0.6778');
  await expect(laptop.locator('.session-list')).not.toContainText('Unknown · Unknown');

  // Another sign-in appears when the user comes back to the window, without Refresh.
  const second = await curl();
  await laptop.evaluate(() => window.dispatchEvent(new Event('focus')));
  await expect(cards).toHaveCount(4);
  await Promise.all([mac.close(), phone.close(), script.dispose(), second.dispose()]);
});

test('outcomes are said and the keyboard focus follows: a failed sign-in, signing out', async ({ page }) => {
  await page.goto('/en/login');
  await page.locator('#email').fill(USERS.student.email);
  await page.locator('#password').fill('not the password');
  await page.locator('#password').press('Enter');
  await expect(page.getByRole('alert')).toHaveText('Wrong email or password.');
  // Focus is back on the password, ready to be typed again.
  await expect(page.locator('#password')).toBeFocused();

  await logIn(page, 'student');
  await expect(page).toHaveURL(`${BASE}/en/student`);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(`${BASE}/en/login`);
  await expect(page.getByRole('status')).toHaveText('You have signed out.');
});

test('small things: deep links survive sign-in, no polling when signed out, pagers only when paging, the admin’s own days', async ({ browser }) => {
  const context = await browser.newContext({ baseURL: BASE, timezoneId: 'Pacific/Auckland' });
  const page = await context.newPage();
  // A deep link while signed out comes back after signing in.
  await page.goto('/en/profile');
  await expect(page).toHaveURL(`${BASE}/en/login`);
  // The login page does not ask the server about a session it knows is gone.
  let checks = 0;
  page.on('request', (request) => {
    if (new URL(request.url()).pathname === '/api/auth/session') checks += 1;
  });
  await page.evaluate(() => window.dispatchEvent(new Event('focus')));
  await page.waitForTimeout(300);
  expect(checks).toBe(0);
  await page.locator('#email').fill(USERS.admin.email);
  await page.locator('#password').fill(USERS.admin.password);
  await page.locator('button[type=submit]').click();
  await expect(page).toHaveURL(`${BASE}/en/profile`);

  // A list that fits on one page has no pager.
  const email = 'pia@e2e.hallpass.test';
  const created = await page.request.post('/api/admin/users', {
    data: { name: 'Pia Pager', email, role: 'student', password: 'welcome to the school' },
  });
  expect(created.status()).toBe(201);
  const pia = await (await browser.newContext({ baseURL: BASE })).newPage();
  await pia.goto('/en/login');
  await pia.locator('#email').fill(email);
  await pia.locator('#password').fill('welcome to the school');
  await pia.locator('button[type=submit]').click();
  await pia.getByRole('link', { name: 'Profile' }).click();
  const activity = pia.locator('section', { has: pia.getByRole('heading', { name: 'Recent activity' }) });
  await expect(activity.locator('tbody tr').first()).toBeVisible();
  await expect(activity.locator('nav.pager')).toHaveCount(0);

  // The audit trail: days are the admin's own (Auckland), reversed days are refused in
  // words, and the user filter can be cleared.
  await page.goto('/en/admin');
  const audit = page.locator('section', { has: page.getByRole('heading', { name: 'Audit trail' }) });
  await audit.getByLabel('From').fill('2026-12-01');
  await audit.getByLabel('To').fill('2026-11-30');
  await audit.getByRole('button', { name: 'Filter' }).click();
  await expect(audit.getByRole('alert')).toHaveText('The start date must be on or before the end date.');
  await audit.getByLabel('To').fill('2026-12-01');
  const asked = page.waitForRequest((request) => new URL(request.url()).pathname === '/api/admin/events');
  await audit.getByRole('button', { name: 'Filter' }).click();
  const query = new URL((await asked).url()).searchParams;
  // Midnight in Auckland (UTC+13 in December) is 11:00 UTC the day before.
  expect(new Date(query.get('from')).toISOString()).toBe('2026-11-30T11:00:00.000Z');
  expect(new Date(query.get('to')).toISOString()).toBe('2026-12-01T11:00:00.000Z');
  await expect(audit.getByRole('alert')).toHaveCount(0);

  await page.getByLabel('Search users').fill(email);
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await page.getByRole('button', { name: `Sessions ${email}` }).click();
  await expect(audit.getByText(`Only ${email}`)).toBeVisible();
  await audit.getByRole('button', { name: `Show everyone, not only ${email}` }).click();
  await expect(audit.getByText(`Only ${email}`)).toHaveCount(0);
  await Promise.all([context.close(), pia.context().close()]);
});
