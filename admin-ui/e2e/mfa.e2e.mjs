// End-to-end test of admin two-factor authentication in real headless Chromium (Debian's), against
// a real Ferry started by AdminMfaIT, which passes everything below in the environment.
//
// Flow: a local admin logs in with the password, opens "Two-factor", sets up an authenticator from
// the QR code's secret (codes computed here by RFC 6238), sees the recovery codes once, logs out;
// the next login asks for the code after the password and lets the admin in with it.
import { BASE, SCREENSHOTS, env, log, newPage, problems, run } from './support.mjs';
import { createHmac } from 'node:crypto';
import { join } from 'node:path';

const USERNAME = env('MFA_USERNAME');
const PASSWORD = env('MFA_PASSWORD');

/** RFC 4648 base32 without padding, as authenticator apps read the secret. */
function base32(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of text.replace(/=+$/, '').toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

/** RFC 6238 TOTP: HMAC-SHA1, 6 digits, 30-second steps. */
function totp(secret, step) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const hash = createHmac('sha1', base32(secret)).update(counter).digest();
  const offset = hash[hash.length - 1] & 0xf;
  return String((hash.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}
const nowStep = () => Math.floor(Date.now() / 30_000);

await run('mfa', async (browser) => {
  const page = await newPage(browser, 'mfa');

  log('log in with the password and set up an authenticator');
  await page.goto(`${BASE}/`);
  await page.getByLabel('Username').fill(USERNAME);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
  await page.getByRole('link', { name: 'Two-factor' }).click();
  await page.getByRole('heading', { name: 'Two-factor authentication' }).waitFor();
  await page.getByRole('button', { name: 'Set up two-factor authentication' }).click();
  const qr = page.getByRole('img', { name: /QR code/ });
  await qr.waitFor();
  const loaded = await qr.evaluate((img) => img.complete && img.naturalWidth > 100);
  if (!loaded) problems.push('the QR code image did not load (CSP or a broken data: URI)');
  const secret = (await page.locator('code.secret').textContent()).trim();
  await page.screenshot({ path: join(SCREENSHOTS, 'mfa-enrol-1280.png') });
  const confirmStep = nowStep();
  await page.getByLabel('Code from the app').fill(totp(secret, confirmStep));
  await page.getByRole('button', { name: 'Turn on' }).click();
  await page.getByText('Two-factor authentication is on.').waitFor();
  const codes = await page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem').allTextContents();
  if (codes.length !== 10) problems.push(`${codes.length} recovery codes shown, not 10`);
  await page.screenshot({ path: join(SCREENSHOTS, 'mfa-recovery-codes-1280.png') });
  await page.getByRole('button', { name: 'I have saved them' }).click();
  await page.getByText(/Two-factor authentication is on for/).waitFor();
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByRole('heading', { name: 'Ferry admin' }).waitFor();

  log('the next login asks for the code');
  await page.goto(`${BASE}/`);
  await page.getByLabel('Username').fill(USERNAME);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByLabel('Authentication code').waitFor();
  await page.screenshot({ path: join(SCREENSHOTS, 'mfa-login-1280.png') });
  // the step after the one that confirmed: a code is never accepted twice
  await page.getByLabel('Authentication code').fill(totp(secret, confirmStep + 1));
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
});
