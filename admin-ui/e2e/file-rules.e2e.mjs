// End-to-end test of the admin UI's file rules in real headless Chromium, against a real Ferry
// started by AdminUiIT (aFileRuleAndARetentionRuleWrittenInTheUiDoWhatTheySay), which uploaded the
// files named below and, afterwards, checks on the server that the rules do what they say.
//
// Flow: an event rule with a move action (a target path the form refuses before sending, a
// receiving user the server refuses under that field, then a good one), listed with its target;
// a retention rule created disabled (no hourly round can touch the files meanwhile), previewed
// (the old files listed, the fresh one not), run after a confirmation, previewed again (nothing
// left); screenshots; an AUDITOR previews but sees no control that changes anything.
import { checkCsp, describedBy, env, expectNone, log, login, nav, newPage, problems, run, shoot } from './support.mjs';

const ADMIN = { username: env('ADMIN_USERNAME'), password: env('ADMIN_PASSWORD') };
const AUDITOR = { username: env('AUDITOR_USERNAME'), password: env('AUDITOR_PASSWORD') };
const SOURCE = env('SOURCE_USER');
const TARGET = env('TARGET_USER');
const OLD_FILES = env('OLD_FILES').split(',');
const FRESH_FILE = env('FRESH_FILE');
const MOVE_TO = '/incoming/{username}/{filename}';

await run('file-rules', async (browser) => {
  log('file rules: log in');
  const page = await newPage(browser, 'admin');
  await login(page, ADMIN);

  // ---- an event rule that moves uploads to another user's home ---------------------------------
  log('event rules: a move rule, checked in the form and by the server');
  await nav(page, 'Events').click();
  await page.getByRole('link', { name: 'New rule' }).click();
  await page.getByLabel('Name', { exact: true }).fill('e2e-move');
  await page.getByLabel('Usernames').fill(SOURCE);
  await page.getByLabel('Path globs').fill('/inbox/**');
  await page.getByRole('button', { name: 'Remove action 1' }).click();
  await page.getByRole('button', { name: 'Add a move' }).click();
  const target = page.getByLabel('Action 1 target path');
  if (!/\{filename\}.*\{path\}.*\{username\}.*\{date\}/s.test(await page.locator(`[id="${await target.getAttribute('aria-describedby')}"]`).innerText())) {
    problems.push('events: the move target does not explain its placeholders');
  }
  await target.fill('/incoming/{user}/{filename}');
  await page.getByRole('button', { name: 'Create rule' }).click();
  if (!(await describedBy(target)).includes('unknown placeholder {user}')) problems.push('events: an unknown placeholder is not refused under the target');
  await target.fill(MOVE_TO);
  const receiver = page.getByLabel('Action 1 receiving user');
  await receiver.fill('e2e-nobody');
  await page.getByRole('button', { name: 'Create rule' }).click();
  await page.getByText(/no user named 'e2e-nobody'/).waitFor(); // the server's 400
  if (!(await describedBy(receiver)).includes("no user named 'e2e-nobody'")) {
    problems.push('events: the server\'s message about actions[0].username is not tied to the receiving user field');
  }
  await receiver.fill(TARGET);
  await page.getByRole('button', { name: 'Create rule' }).click();
  await page.getByText('Created e2e-move.').waitFor();
  await page.getByRole('heading', { name: 'Event rule e2e-move' }).waitFor();
  if ((await page.getByLabel('Action 1 type').inputValue()) !== 'move') problems.push('events: the saved action is not shown as a move');
  await shoot(page, 'event-rule-move');
  await nav(page, 'Events').click();
  const moveRow = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'e2e-move' }) });
  await moveRow.getByText(`move to ${TARGET}:${MOVE_TO}`).waitFor();

  // ---- a retention rule: create, preview, run ---------------------------------------------------
  log('retention: create a rule (disabled: no hourly round meanwhile)');
  await nav(page, 'Retention').click();
  await page.getByRole('heading', { name: 'Retention rules' }).waitFor();
  await page.getByRole('link', { name: 'New rule' }).click();
  await page.getByLabel('Name', { exact: true }).fill('e2e-outbox');
  await page.getByLabel('Path glob').fill('outbox/**');
  await page.getByLabel('User').fill(SOURCE);
  await page.getByLabel('Older than (days)').fill('30');
  await page.getByLabel(/^Enabled/).uncheck();
  await page.getByRole('button', { name: 'Create rule' }).click();
  await page.getByText(/start with \/ \(the user’s home\)/).waitFor(); // checked before sending
  await page.getByLabel('Path glob').fill('/outbox/**');
  await page.getByRole('button', { name: 'Create rule' }).click();
  await page.getByRole('heading', { name: 'Retention rule e2e-outbox' }).waitFor();
  await page.getByText('Created e2e-outbox.').waitFor();

  log('retention: preview lists the old files, not the fresh one, and changes nothing');
  await page.getByRole('button', { name: 'Preview' }).click();
  const preview = page.getByRole('region', { name: 'Preview of e2e-outbox' });
  await preview.getByText(new RegExp(`^${OLD_FILES.length} files \\(\\d+ B\\) would be deleted`)).waitFor();
  for (const file of OLD_FILES) await preview.getByRole('row').filter({ hasText: file }).filter({ hasText: SOURCE }).waitFor();
  if ((await preview.getByText(FRESH_FILE).count()) > 0) problems.push(`retention: the preview lists ${FRESH_FILE}, modified just now`);
  await shoot(page, 'retention-preview');

  log('retention: run now after a confirmation, then nothing is left to delete');
  await page.getByRole('button', { name: 'Run now' }).click();
  await page.getByRole('dialog').getByText(`Deletes files older than 30 days under /outbox/** of ${SOURCE} now`).waitFor();
  await page.getByRole('dialog').getByRole('button', { name: 'Delete files now' }).click();
  const ran = page.getByRole('region', { name: 'Run of e2e-outbox' });
  await ran.getByText(new RegExp(`^${OLD_FILES.length} files \\(\\d+ B\\) deleted`)).waitFor();
  await page.getByRole('button', { name: 'Preview' }).click();
  await page.getByRole('region', { name: 'Preview of e2e-outbox' }).getByText(/^0 files \(0 B\) would be deleted/).waitFor();
  await nav(page, 'Retention').click();
  const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'e2e-outbox' }) });
  await row.getByText('disabled').waitFor();
  await shoot(page, 'retention');
  await checkCsp(page, 'admin file rules');

  // ---- an AUDITOR previews, and changes nothing -------------------------------------------------
  log('retention: an AUDITOR previews but sees no write controls');
  const auditor = await newPage(browser, 'auditor');
  await login(auditor, AUDITOR);
  await nav(auditor, 'Retention').click();
  await auditor.getByRole('rowheader', { name: 'e2e-outbox' }).waitFor();
  await expectNone(auditor, 'link', 'New rule', 'retention');
  await auditor.getByRole('link', { name: 'e2e-outbox', exact: true }).click();
  await auditor.getByRole('heading', { name: 'Retention rule e2e-outbox' }).waitFor();
  for (const name of ['Save changes', 'Delete rule', 'Run now']) await expectNone(auditor, 'button', name, 'retention rule');
  if (!(await auditor.getByLabel('Path glob').isDisabled())) problems.push('retention rule: an AUDITOR can edit fields');
  await auditor.getByRole('button', { name: 'Preview' }).click();
  await auditor.getByRole('region', { name: 'Preview of e2e-outbox' }).getByText(/would be deleted/).waitFor();
  await nav(auditor, 'Events').click();
  await auditor.getByRole('link', { name: 'e2e-move', exact: true }).click();
  await auditor.getByRole('heading', { name: 'Event rule e2e-move' }).waitFor();
  if (!(await auditor.getByLabel('Action 1 target path').isDisabled())) problems.push('event rule: an AUDITOR can edit a move target');
  await checkCsp(auditor, 'auditor file rules');
});
