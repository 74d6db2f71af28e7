// End-to-end test of the admin UI in real headless Chromium (Debian's), against a real Ferry
// started by AdminUiIT (which passes everything below in the environment). Run by Maven through
// AdminUiIT; by hand: see README, "Admin UI".
//
// Flow: keyboard reaches the login form; log in; create a user with a key; add and delete a key
// from a .pub file; log in over SFTP (OpenSSH) with the key and upload; see the session and
// disconnect it; find the upload in the audit (sha256, key fingerprint, chain status, CSV export)
// and on the dashboard; event rules: a webhook rule whose generated secret is shown once (and
// written to SECRET_FILE for AdminUiIT to check the signature the receiver got), listed without
// it, its delivery of the upload; a rule to a closed port whose delivery goes dead and is
// retried in bulk; screenshots of every page at 1280 and 390 px; log out; an AUDITOR sees no
// write controls. Any CSP violation or uncaught page error fails the run; on a failure,
// SCREENSHOT_DIR/failure-N.png shows each page as it was.
import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (AdminUiIT sets it)`);
  return value;
};
const BASE = env('FERRY_URL');
const SFTP_PORT = env('FERRY_SFTP_PORT');
const ADMIN = { username: env('ADMIN_USERNAME'), password: env('ADMIN_PASSWORD') };
const AUDITOR = { username: env('AUDITOR_USERNAME'), password: env('AUDITOR_PASSWORD') };
const KEY_FILE = env('KEY_FILE');
const EXTRA_PUB_FILE = env('EXTRA_PUB_FILE');
const KEY_FINGERPRINT = env('KEY_FINGERPRINT');
const EXTRA_FINGERPRINT = env('EXTRA_FINGERPRINT');
const UPLOAD_FILE = env('UPLOAD_FILE');
const UPLOAD_SHA256 = env('UPLOAD_SHA256');
const SCREENSHOTS = env('SCREENSHOT_DIR');
const WEBHOOK_URL = env('WEBHOOK_URL');
const DEAD_WEBHOOK_URL = env('DEAD_WEBHOOK_URL');
const SECRET_FILE = env('SECRET_FILE');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const USER = 'e2e-partner';

if (!existsSync(CHROMIUM)) {
  console.error(`Chromium is not installed at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM)`);
  process.exit(2);
}
mkdirSync(SCREENSHOTS, { recursive: true });

const problems = [];
let step = 'start';
const log = (s) => {
  step = s;
  console.log(`e2e: ${s}`);
};

function watch(page, who) {
  page.on('console', (msg) => {
    const text = msg.text();
    if (/Content[- ]Security[- ]Policy|Refused to (apply|load|execute|connect|frame)/i.test(text)) {
      problems.push(`${who}: CSP violation reported on the console: ${text}`);
    }
  });
  page.on('pageerror', (error) => problems.push(`${who}: uncaught error in the page: ${error.message}`));
}

async function newPage(browser, who, width = 1280) {
  const context = await browser.newContext({ viewport: { width, height: 900 }, acceptDownloads: true });
  // Runs before the page's own scripts; CSP does not apply to it (it is injected by the browser).
  await context.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`);
    });
  });
  const page = await context.newPage();
  watch(page, who);
  return page;
}

async function checkCsp(page, where) {
  const violations = await page.evaluate(() => window.__cspViolations ?? []);
  for (const v of violations) problems.push(`${where}: securitypolicyviolation: ${v}`);
}

async function shoot(page, name) {
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
    await page.waitForTimeout(150);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    if (overflow > 1) problems.push(`${name} at ${width} px: the page scrolls sideways by ${overflow} px`);
    await page.screenshot({ path: join(SCREENSHOTS, `${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
  await checkCsp(page, name);
}

/** OpenSSH's sftp in batch mode, kept open until stdin ends; resolves `done` when it exits. */
function sftpSession(commands) {
  const child = spawn('sftp', ['-b', '-', '-P', SFTP_PORT, '-F', '/dev/null', '-i', KEY_FILE,
    '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'BatchMode=yes',
    '-o', 'IdentitiesOnly=yes', '-o', 'LogLevel=ERROR', `${USER}@127.0.0.1`], { stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => { output += d; });
  child.stderr.on('data', (d) => { output += d; });
  const done = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  child.stdin.write(commands.map((c) => `${c}\n`).join(''));
  return { child, done, output: () => output };
}

async function until(what, check, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A link of the main navigation. */
const nav = (page, name) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });

async function login(page, who) {
  await page.goto(`${BASE}/`);
  await page.getByLabel('Username').fill(who.username);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
}

async function expectNone(page, role, name, where) {
  const count = await page.getByRole(role, { name }).count();
  if (count > 0) problems.push(`${where}: an AUDITOR sees the ${role} "${name}"`);
}

const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
const sessions = [];
try {
  // ---- login with the keyboard ----------------------------------------------------------------
  log('keyboard reaches the login form');
  const page = await newPage(browser, 'admin');
  await page.goto(`${BASE}/`);
  await page.getByRole('heading', { name: 'Ferry admin' }).waitFor();
  const first = await page.evaluate(() => document.activeElement?.labels?.[0]?.textContent);
  if (first !== 'Username') problems.push(`the login page starts with the focus on ${first}, not on Username`);
  const order = [];
  for (let i = 0; i < 5; i++) {
    await page.keyboard.press('Tab');
    order.push(await page.evaluate(() => {
      const el = document.activeElement;
      return el?.labels?.[0]?.textContent ?? el?.textContent ?? el?.tagName;
    }));
  }
  // Tab cycles through the page (and the browser's own UI): Username, Password, Log in must follow each other.
  const cycle = ['Username', ...order, ...order];
  const u = cycle.indexOf('Username');
  if (cycle[u + 1] !== 'Password' || cycle[u + 2] !== 'Log in' || !order.includes('Username')) {
    problems.push(`Tab order on the login page is ${JSON.stringify(order)}, not Username, Password, Log in`);
  }
  await shoot(page, 'login');
  await page.getByLabel('Username').focus();
  await page.keyboard.type(ADMIN.username);
  await page.keyboard.press('Tab');
  await page.keyboard.type('not the password');
  await page.keyboard.press('Enter');
  await page.getByText('Wrong username or password.').waitFor();
  await page.getByLabel('Password').fill(ADMIN.password);
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor();

  // ---- create a user with a key ---------------------------------------------------------------
  log('create a user with a key');
  await nav(page, 'Users').click();
  await page.getByRole('link', { name: 'New user' }).click();
  await page.getByLabel('Username').fill('x');
  await page.getByRole('button', { name: 'Create user' }).click();
  await page.getByText(/use 2 to 64 characters/).waitFor(); // validated before sending
  await page.getByLabel('Username').fill(USER);
  await page.getByLabel('Public keys').fill(readFileSync(`${KEY_FILE}.pub`, 'utf8'));
  await page.getByLabel('Quota (bytes)').fill('104857600');
  await page.getByText('= 100 MiB', { exact: true }).waitFor(); // not "= 1 MiB" (sizes were shown 100 times too small)
  await page.getByLabel('Allowed IP addresses').fill('not-an-ip');
  await page.getByRole('button', { name: 'Create user' }).click();
  await page.getByText(/'not-an-ip' is not an IP address or CIDR/).waitFor();
  await page.getByLabel('Allowed IP addresses').fill('127.0.0.1\n::1');
  await page.getByRole('button', { name: 'Add a path' }).click();
  await page.getByLabel('Path 2', { exact: true }).fill('/inbox');
  await page.getByRole('button', { name: 'Create user' }).click();
  await page.getByRole('heading', { name: `User ${USER}` }).waitFor();
  await page.getByText('0 B of 100 MiB (0%)', { exact: true }).waitFor();

  log('keys: fingerprint shown, add from a .pub file, delete with confirmation');
  await page.getByRole('link', { name: /SSH keys/ }).click();
  await page.getByText(KEY_FINGERPRINT, { exact: true }).waitFor();
  await page.getByLabel('Or read it from a file').setInputFiles(EXTRA_PUB_FILE);
  await page.getByRole('button', { name: 'Add key' }).click();
  await page.getByText(EXTRA_FINGERPRINT, { exact: true }).waitFor();
  await page.getByRole('button', { name: /Delete the key extra@e2e/ }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Delete key' }).click();
  await until('the extra key to be gone', async () => (await page.getByText(EXTRA_FINGERPRINT, { exact: true }).count()) === 0);

  // ---- event rules, before the upload they are to deliver -------------------------------------
  log('event rules: create a webhook rule, its secret shown once, listed without it');
  await nav(page, 'Events').click();
  await page.getByRole('heading', { name: 'Event rules' }).waitFor();
  await page.getByRole('link', { name: 'New rule' }).click();
  await page.getByLabel('Name', { exact: true }).fill('e2e-hook');
  await page.getByLabel('Usernames').fill(USER);
  await page.getByLabel('Path globs').fill('/*.csv');
  await page.getByLabel('Action 1 URL').fill('https://user:pw@hooks.example.com/ferry');
  await page.getByRole('button', { name: 'Create rule' }).click();
  await page.getByText(/must not carry a user or password/).waitFor(); // the server's 400, next to the field
  const described = await page.getByLabel('Action 1 URL').getAttribute('aria-describedby');
  if (!described || !(await page.locator(`[id="${described.split(' ')[0]}"]`).innerText()).includes('must not carry a user')) {
    problems.push('events: the server\'s message about actions[0].url is not tied to the Action 1 URL field');
  }
  await page.getByLabel('Action 1 URL').fill(WEBHOOK_URL);
  await page.getByRole('button', { name: 'Create rule' }).click();
  await page.getByRole('heading', { name: 'Webhook secret, shown once' }).waitFor();
  await page.getByRole('heading', { name: 'Event rule e2e-hook' }).waitFor();
  const secret = (await page.getByLabel('Secret of action 1').innerText()).trim();
  if (secret.length < 16) problems.push(`events: the generated secret shown is "${secret}"`);
  writeFileSync(SECRET_FILE, secret);
  await shoot(page, 'event-rule-created');
  await nav(page, 'Events').click();
  await page.getByRole('rowheader', { name: 'e2e-hook' }).waitFor();
  if ((await page.content()).includes(secret)) problems.push('events: the rules list shows the webhook secret');
  await page.getByRole('link', { name: 'e2e-hook', exact: true }).click();
  await page.getByRole('heading', { name: 'Event rule e2e-hook' }).waitFor();
  if ((await page.getByRole('heading', { name: /shown once/ }).count()) > 0 || (await page.content()).includes(secret)) {
    problems.push('events: the secret is shown again when the rule is opened again');
  }
  await page.getByText(/set; leave empty to keep it/).waitFor();

  log('event rules: a rule whose receiver never answers');
  await nav(page, 'Events').click();
  await page.getByRole('link', { name: 'New rule' }).click();
  await page.getByLabel('Name', { exact: true }).fill('e2e-dead');
  await page.getByLabel('Usernames').fill(USER);
  await page.getByLabel('Action 1 URL').fill(DEAD_WEBHOOK_URL);
  await page.getByLabel('Action 1 secret').fill('a-secret-typed-by-the-admin');
  await page.getByRole('button', { name: 'Create rule' }).click();
  await page.getByText('Created e2e-dead.').waitFor();
  if ((await page.getByRole('heading', { name: /shown once/ }).count()) > 0) problems.push('events: a typed secret is shown back');
  await nav(page, 'Events').click();
  await page.getByRole('rowheader', { name: 'e2e-dead' }).waitFor();
  await shoot(page, 'events');

  // ---- SFTP upload with that key, then disconnect the session from the UI ----------------------
  log('SFTP login with the key and upload');
  const upload = sftpSession([`put ${UPLOAD_FILE} /report.csv`, 'ls -l /report.csv']);
  sessions.push(upload);
  await until('the upload to finish', async () => /^-r.*report\.csv\s*$/m.test(upload.output()), 30000);

  log('sessions page shows the session; disconnect it');
  await nav(page, 'Sessions').click();
  await page.getByRole('rowheader', { name: USER }).waitFor();
  await shoot(page, 'sessions');
  await page.getByRole('button', { name: new RegExp(`Disconnect ${USER}`) }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Disconnect' }).click();
  await page.getByText(/is being disconnected/).waitFor();
  await until('the session to leave the list', async () => (await page.getByRole('rowheader', { name: USER }).count()) === 0);
  // sftp -b notices a closed connection when it sends its next command
  upload.child.stdin.write('ls /\n');
  const code = await Promise.race([upload.done, new Promise((r) => setTimeout(() => r('still running'), 15000))]);
  if (code === 'still running' || code === 0) problems.push(`the SFTP connection was not closed by the server (sftp: ${code})\n${upload.output()}`);

  // ---- the upload in the audit ----------------------------------------------------------------
  log('audit: filter, detail with sha256 and key fingerprint, chain status, CSV export');
  await nav(page, 'Audit').click();
  await page.getByText(/Hash chain intact: [\d,]+ records verified/).waitFor();
  await page.getByLabel('User').fill(USER);
  await page.getByLabel('Type').selectOption('UPLOAD');
  await page.getByRole('button', { name: 'Search' }).click();
  await page.getByRole('cell', { name: '/report.csv' }).waitFor();
  // the row of the upload, not whichever is first: the list may not show the search's result yet
  await page.getByRole('row').filter({ hasText: '/report.csv' }).getByRole('button', { name: /Details of record/ }).click();
  const detail = page.getByRole('dialog');
  await detail.getByText(UPLOAD_SHA256, { exact: true }).waitFor();
  await detail.getByText(KEY_FINGERPRINT, { exact: true }).waitFor();
  await page.screenshot({ path: join(SCREENSHOTS, 'audit-detail-1280.png') });
  await page.keyboard.press('Escape');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
  const csv = readFileSync(await download.path(), 'utf8');
  if (!csv.startsWith('timestamp,type,username,path') || !csv.includes('/report.csv') || !csv.includes(UPLOAD_SHA256)) {
    problems.push(`the CSV export lacks the upload: ${csv.slice(0, 300)}`);
  }
  await page.getByRole('button', { name: 'Clear' }).click();

  log('deliveries: the upload delivered to the webhook; the dead one retried in bulk');
  await nav(page, 'Events').click();
  await page.getByRole('link', { name: 'Deliveries of e2e-hook' }).click();
  await page.getByRole('heading', { name: 'Deliveries of e2e-hook' }).waitFor();
  const deliveredRow = page.getByRole('row').filter({ hasText: '/report.csv' }).filter({ hasText: 'delivered' });
  await until('the upload delivered to the webhook', async () => {
    if ((await deliveredRow.count()) > 0) return true;
    await page.getByRole('button', { name: 'Refresh now' }).click();
    return false;
  }, 60000);
  if (!/\b200\b/.test(await deliveredRow.first().innerText())) problems.push('deliveries: the delivered row does not show HTTP 200');
  await shoot(page, 'deliveries');
  await page.getByLabel('Rule').selectOption('e2e-dead');
  await page.getByRole('heading', { name: 'Deliveries of e2e-dead' }).waitFor();
  await page.getByLabel('Status').selectOption('dead');
  await until('the delivery to the closed port to be dead', async () => {
    if ((await page.getByRole('row').filter({ hasText: '/report.csv' }).filter({ hasText: 'dead' }).count()) > 0) return true;
    await page.getByRole('button', { name: 'Refresh now' }).click();
    return false;
  }, 90000);
  const deadRow = page.getByRole('row').filter({ hasText: '/report.csv' }).filter({ hasText: 'dead' }).first();
  if (!/refused|connect/i.test(await deadRow.innerText())) problems.push(`deliveries: the dead row shows no last error: ${await deadRow.innerText()}`);
  await page.getByRole('button', { name: 'Retry all dead' }).click();
  await page.getByRole('dialog').getByText('Every dead delivery of e2e-dead').waitFor();
  await page.getByRole('dialog').getByRole('button', { name: 'Retry all dead' }).click();
  await page.getByText(/^[1-9]\d* dead deliver(y is|ies are) queued to be sent again\.$/).waitFor();

  log('dashboard shows the upload');
  await nav(page, 'Dashboard').click();
  await until('the upload on the dashboard', async () => {
    const text = await page.getByText('Uploads (24 h)').locator('..').innerText();
    return /^\s*[1-9]/.test(text);
  });
  await page.getByRole('rowheader', { name: USER }).waitFor(); // busiest users

  // ---- screenshots of every page, with a live session -----------------------------------------
  log('screenshots at 1280 and 390 px');
  const live = sftpSession(['ls /']);
  sessions.push(live);
  await nav(page, 'Sessions').click();
  await page.getByRole('rowheader', { name: USER }).waitFor({ timeout: 15000 });
  await shoot(page, 'sessions-live');
  await nav(page, 'Dashboard').click();
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
  await page.getByText('Busiest users, last 7 days').waitFor();
  await shoot(page, 'dashboard');
  await nav(page, 'Users').click();
  await page.getByRole('rowheader', { name: USER }).waitFor();
  await page.getByText('195 KiB of 100 MiB (0%)', { exact: true }).waitFor(); // the 200,000-byte upload
  await shoot(page, 'users');
  await page.getByRole('link', { name: USER, exact: true }).click();
  await page.getByRole('heading', { name: `User ${USER}` }).waitFor();
  await page.getByText('195 KiB of 100 MiB (0%)', { exact: true }).waitFor();
  await shoot(page, 'user');
  await page.getByRole('link', { name: /SSH keys/ }).click();
  await page.getByText(KEY_FINGERPRINT, { exact: true }).waitFor();
  await shoot(page, 'keys');
  await nav(page, 'Audit').click();
  await page.getByText(/Hash chain intact/).waitFor();
  await shoot(page, 'audit');

  log('log out');
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByRole('heading', { name: 'Ferry admin' }).waitFor();
  await page.goto(`${BASE}/users`);
  await page.getByRole('heading', { name: 'Ferry admin' }).waitFor(); // the session is gone: back to the login
  await checkCsp(page, 'after logout');

  // ---- an AUDITOR sees no write controls --------------------------------------------------------
  log('an AUDITOR sees no write controls');
  const auditor = await newPage(browser, 'auditor');
  await login(auditor, AUDITOR);
  await nav(auditor, 'Users').click();
  await auditor.getByRole('rowheader', { name: USER }).waitFor();
  await expectNone(auditor, 'link', 'New user', 'users');
  await auditor.getByRole('link', { name: USER, exact: true }).click();
  await auditor.getByRole('heading', { name: `User ${USER}` }).waitFor();
  for (const name of ['Save changes', 'Delete user', 'Add a path', 'Remove']) await expectNone(auditor, 'button', name, 'user');
  if (!(await auditor.getByLabel('Max sessions').isDisabled())) problems.push('user: an AUDITOR can edit fields');
  await auditor.screenshot({ path: join(SCREENSHOTS, 'user-auditor-1280.png'), fullPage: true });
  await auditor.getByRole('link', { name: /SSH keys/ }).click();
  await auditor.getByText(KEY_FINGERPRINT, { exact: true }).waitFor();
  for (const name of ['Add key', /^Delete/]) await expectNone(auditor, 'button', name, 'keys');
  await nav(auditor, 'Sessions').click();
  await auditor.getByRole('rowheader', { name: USER }).waitFor();
  await expectNone(auditor, 'button', /Disconnect/, 'sessions');
  await nav(auditor, 'Audit').click();
  await auditor.getByRole('button', { name: 'Export CSV' }).waitFor();
  await nav(auditor, 'Events').click();
  await auditor.getByRole('rowheader', { name: 'e2e-hook' }).waitFor();
  await expectNone(auditor, 'link', 'New rule', 'events');
  await auditor.getByRole('link', { name: 'e2e-hook', exact: true }).click();
  await auditor.getByRole('heading', { name: 'Event rule e2e-hook' }).waitFor();
  for (const name of ['Save changes', 'Delete rule', 'Add a webhook', 'Remove']) await expectNone(auditor, 'button', name, 'event rule');
  if ((await auditor.getByLabel('Action 1 secret').count()) > 0) problems.push('event rule: an AUDITOR sees a secret field');
  await auditor.getByRole('link', { name: 'Deliveries of e2e-hook' }).click();
  await auditor.getByRole('row').filter({ hasText: '/report.csv' }).first().waitFor();
  await expectNone(auditor, 'button', /Retry/, 'deliveries');
  await checkCsp(auditor, 'auditor pages');
  await auditor.getByRole('button', { name: 'Log out' }).click();
  await auditor.getByRole('heading', { name: 'Ferry admin' }).waitFor();
  log('done');
} catch (e) {
  problems.push(`failed at "${step}": ${e instanceof Error ? e.stack : e}`);
  // what the pages showed when it failed
  const pages = browser.contexts().flatMap((c) => c.pages());
  for (const [i, p] of pages.entries()) await p.screenshot({ path: join(SCREENSHOTS, `failure-${i + 1}.png`), fullPage: true }).catch(() => {});
} finally {
  for (const s of sessions) {
    s.child.stdin.end();
    s.child.kill();
  }
  await browser.close();
}

if (problems.length > 0) {
  console.error(`e2e: ${problems.length} problem(s):\n- ${problems.join('\n- ')}`);
  process.exit(1);
}
console.log('e2e: all checks passed');
