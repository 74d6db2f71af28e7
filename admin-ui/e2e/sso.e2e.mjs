// End-to-end test of admin single sign-on in real headless Chromium (Debian's), against a real
// Ferry and a real OpenID provider (Spring Authorization Server) started by AdminSsoIT, which
// passes everything below in the environment. The provider is http://localhost:<port>, another
// site than Ferry's http://127.0.0.1:<port>, as a real provider is (the session cookie must survive
// the cross-site return).
//
// Flow: the login page offers "Sign in with Test IdP"; alice (ferry-admins) signs in on the
// provider's own form, lands back in the UI as oidc:localhost:alice (ADMIN) and creates a user
// (audited under that name; AdminSsoIT checks); logs out; carol (in no Ferry group) signs in at the
// provider and is shown why Ferry refused her; bob (ferry-auditors) sees no write controls.
import { BASE, SCREENSHOTS, env, log, newPage, problems, run } from './support.mjs';
import { join } from 'node:path';

const IDP_PASSWORD = env('IDP_PASSWORD');

/** From Ferry's login page through the provider's login form; returns once the provider let the user in. */
async function signIn(page, username) {
  await page.goto(`${BASE}/`);
  await page.getByRole('heading', { name: 'Ferry admin' }).waitFor();
  await page.getByRole('link', { name: 'Sign in with Test IdP' }).click();
  await page.waitForURL(/localhost:\d+\/login/);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(IDP_PASSWORD);
  await page.getByRole('button', { name: /sign in/i }).click();
}

await run('sso', async (browser) => {
  log('an ADMIN signs in with the provider');
  const page = await newPage(browser, 'sso');
  await signIn(page, 'alice');
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
  if (!page.url().startsWith(BASE)) problems.push(`after the sign-in the browser is at ${page.url()}, not Ferry`);
  await page.getByText('oidc:localhost:alice').waitFor();
  await page.screenshot({ path: join(SCREENSHOTS, 'sso-signed-in-1280.png') });

  log('the SSO admin makes a change (session cookie and CSRF token as after a password login)');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users', exact: true }).click();
  await page.getByRole('link', { name: 'New user' }).click();
  await page.getByLabel('Username').fill('sso-browser');
  await page.getByLabel('Password').first().fill('a-long-password-1');
  await page.getByRole('button', { name: 'Create user' }).click();
  await page.getByRole('heading', { name: 'User sso-browser' }).waitFor();
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByRole('heading', { name: 'Ferry admin' }).waitFor();

  log('an account in no Ferry group is told why');
  const carol = await newPage(browser, 'sso');
  await signIn(carol, 'carol');
  await carol.getByRole('alert').filter({ hasText: /no Ferry role/ }).waitFor();
  await carol.screenshot({ path: join(SCREENSHOTS, 'sso-denied-1280.png') });
  const who = await carol.evaluate(async () => (await fetch('/api/v1/session', { headers: { 'X-Requested-With': 'XMLHttpRequest' } })).status);
  if (who !== 401) problems.push(`carol, refused, still has a session (GET /api/v1/session answered ${who})`);

  log('an AUDITOR signs in and sees no write controls');
  const bob = await newPage(browser, 'sso');
  await signIn(bob, 'bob');
  await bob.getByRole('heading', { name: 'Dashboard' }).waitFor();
  await bob.getByText('AUDITOR', { exact: true }).waitFor();
  await bob.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users', exact: true }).click();
  await bob.getByRole('heading', { name: 'Users' }).waitFor();
  if ((await bob.getByRole('link', { name: 'New user' }).count()) > 0) problems.push('an SSO AUDITOR sees "New user"');
});
