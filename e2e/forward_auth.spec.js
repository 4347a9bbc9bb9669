// Another app of the platform behind Caddy's forward-auth (docs/INTEGRATION.md): a
// signed-out browser opening one of its pages lands on Hallpass's sign-in page, signs in,
// and is back on that very page, which names the user; once the session is revoked in
// Hallpass, the app's next page sends the browser to sign in again.
const { test, expect } = require('@playwright/test');
const { startForwardAuth } = require('./server');

const USERS = JSON.parse(process.env.HALLPASS_USERS);

let platform;

test.beforeAll(async () => {
  platform = await startForwardAuth(JSON.parse(process.env.HALLPASS_SERVER_ENV));
});

test.afterAll(async () => {
  await platform.stop();
});

test('an app behind forward-auth sends a signed-out browser to sign in and back to its page', async ({ page }) => {
  const { email, password } = USERS.pupil;
  const course = `${platform.app}/course/7?tab=marks`;
  await page.goto(course);
  await expect(page).toHaveURL(new RegExp(`^${platform.hallpass}/en/login\\?return_to=`));
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(course);
  await expect(page.locator('#email')).toHaveText(email);
  await expect(page.locator('#groups')).toHaveText('student');

  // Revoked in Hallpass (signed out): the app's next page asks for a sign-in again.
  const signedOut = await page.request.post(`${platform.hallpass}/api/auth/logout`);
  expect(signedOut.status()).toBe(204);
  await page.goto(`${platform.app}/course/8`);
  await expect(page).toHaveURL(new RegExp(`^${platform.hallpass}/en/login\\?return_to=`));
});
