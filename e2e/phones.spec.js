// Phones and tablets are first-class: every page, in both languages, at 390 px (a phone)
// and 768 px (a tablet) fits the window's width (no sideways scrolling: tables become
// stacked cards), on the phone every button and field is a touch target of at least
// 44 px, and no word (an email address, say) is broken across lines.
const path = require('path');
const { test, expect } = require('@playwright/test');

const BASE = process.env.HALLPASS_URL;
const USERS = JSON.parse(process.env.HALLPASS_USERS || '{}');
// Where the test writes its screenshot; `bash scripts/screenshots.sh` copies it to docs/.
const SCREENSHOTS = path.resolve(__dirname, '..', 'target', 'screenshots');

async function logIn(page, persona, locale) {
  await page.goto(`/${locale}/login`);
  await page.locator('#email').fill(USERS[persona].email);
  await page.locator('#password').fill(USERS[persona].password);
  await page.locator('button[type=submit]').click();
}

/** Fails unless the page fits the window's width and, on a phone, its controls are big
 * enough to touch. */
async function fits(page, where, phone) {
  const { scrollWidth, innerWidth, small, brokenWords } = await page.evaluate(() => {
    const controls = [...document.querySelectorAll('main button, main input, main select, header button')];
    const small = controls
      .filter((control) => control.offsetParent !== null)
      .filter((control) => control.getBoundingClientRect().height < 44)
      .map((control) => `${control.tagName} ${control.textContent || control.name || control.type}`.trim());
    // No word is broken across lines: an email address wraps only between its parts
    // (after the @, before a dot), each its own text.
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const brokenWords = [];
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent.trim();
      if (!text || /\s/.test(text) || node.parentElement.closest('script, style')) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      const lines = new Set([...range.getClientRects()].map((rect) => Math.round(rect.top)));
      if (lines.size > 1) brokenWords.push(text);
    }
    return { scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth, small, brokenWords };
  });
  expect(scrollWidth, `${where} is ${scrollWidth} px wide in a ${innerWidth} px window`).toBeLessThanOrEqual(innerWidth);
  if (phone) expect(small, `${where}: controls under 44 px`).toEqual([]);
  expect(brokenWords, `${where}: words broken across lines`).toEqual([]);
}

for (const [width, height] of [[390, 844], [768, 1024]]) {
  for (const locale of ['en', 'fr']) {
    test(`every page fits ${width} px (${locale})`, async ({ browser }) => {
      const context = await browser.newContext({ baseURL: BASE, viewport: { width, height } });
      const page = await context.newPage();
      const phone = width < 640;
      await page.goto(`/${locale}/login`);
      await expect(page.locator('#email')).toBeVisible();
      await fits(page, 'the login page', phone);

      await logIn(page, 'admin', locale);
      await expect(page.locator('table').first()).toBeVisible();
      await page.locator('tbody tr').first().getByRole('button').first().click();
      await expect(page.locator('.session-card').first()).toBeVisible();
      await fits(page, 'the admin console', phone);
      await page.goto(`/${locale}/admin/policies`);
      await expect(page.locator('.policy').first()).toBeVisible();
      await fits(page, 'the policies page', phone);
      await page.goto(`/${locale}/profile`);
      await expect(page.locator('.session-card.current')).toBeVisible();
      await fits(page, 'the profile', phone);
      await page.goto(`/${locale}/nowhere`);
      await expect(page.locator('h1')).toBeVisible();
      await fits(page, 'the not-found page', phone);
      await context.close();

      for (const persona of ['student', 'teacher']) {
        const own = await browser.newContext({ baseURL: BASE, viewport: { width, height } });
        const dashboard = await own.newPage();
        await logIn(dashboard, persona, locale);
        await expect(dashboard).toHaveURL(new RegExp(`/${locale}/${persona}$`));
        await expect(dashboard.locator('h1')).toBeVisible();
        await fits(dashboard, `the ${persona} dashboard`, phone);
        await own.close();
      }
    });
  }
}

// Issue 29: an admin edits a role's policy on a phone, in humane units, told what saving
// will do before saving. (The admins' policy, and values that end no session another test
// holds: the tests share one server.)
test('an admin edits a role policy on a phone; the page is screenshotted', async ({ browser }) => {
  const context = await browser.newContext({ baseURL: BASE, viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  await logIn(page, 'admin', 'en');
  await expect(page.locator('table').first()).toBeVisible();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Policies' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Session policies');

  const admins = page.getByRole('region', { name: 'Admins' });
  await admins.getByRole('spinbutton', { name: 'Sessions last' }).fill('20');
  await admins.getByRole('combobox', { name: 'Unit' }).first().selectOption('d');
  await admins.getByLabel('Sign out sessions left unused').check();
  await admins.getByRole('spinbutton', { name: 'Unused for' }).fill('8');
  await admins.getByRole('combobox', { name: 'Unit' }).nth(1).selectOption('h');
  // Said before saving, from the server's count.
  await expect(admins.locator('.policy-effect')).toHaveText('No session ends now.');
  await fits(page, 'the policies page while editing', true);
  await page.screenshot({ path: path.join(SCREENSHOTS, 'policies-phone.png'), fullPage: true });
  await admins.getByRole('button', { name: 'Save' }).click();
  await expect(page.locator('.admin-status')).toHaveText(
    'The admins’ session policy is saved, and in force everywhere.',
  );
  await expect(admins.getByRole('button', { name: 'Save' })).toBeFocused();

  const stored = await (await page.request.get('/api/admin/policies')).json();
  const policy = stored.policies.find((p) => p.role === 'admin');
  expect(policy).toMatchObject({
    lifetime_seconds: 20 * 86400,
    idle_timeout_seconds: 8 * 3600,
    is_default: false,
  });
  await context.close();
});
