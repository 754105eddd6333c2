/**
 * The System Console in a real browser (Debian's Chromium through playwright-core), against one
 * built node: who may open it, and each page doing what it says against the server — users
 * (deactivate, roles, revoke sessions), teams and channels (members, archive), jobs (run, cancel,
 * a change made elsewhere shown live), and the config pages (a save the server takes, the
 * server's own message for a value it refuses, settings the environment sets shown read-only,
 * and the S3 connection test against a real S3 server, s3rver). The cluster page with three nodes
 * is tested in cluster.e2e.spec.ts. Screenshots go to test-artifacts/web/.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Channel } from '@mattermost/types/channels';
import type { Team } from '@mattermost/types/teams';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  accessibilityViolations,
  chromiumMissing,
  expectClientError,
  REPO_ROOT,
  startS3rver,
  startServer,
  TestBrowser,
  type NewUser,
  type Person,
  type S3rverHandle,
  type TestServer,
} from '#testing';

const missing = chromiumMissing();
if (missing) console.warn(missing);

let server: TestServer;
let s3: S3rverHandle;
let browser: TestBrowser;
let admin: NewUser;
let member: NewUser;
let team: Team;
let channel: Channel;
let adminPerson: Person;

async function logIn(page: Page, loginId: string, password: string): Promise<void> {
  await page.getByLabel('Email or username', { exact: true }).fill(loginId);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

/** Opens a console page through its link in the console's navigation. */
async function openSection(page: Page, title: string, path: string): Promise<void> {
  await page.getByRole('navigation', { name: 'System Console' }).getByRole('link', { name: title, exact: true }).click();
  await page.waitForURL(`**/admin_console/${path}`);
  await page.getByRole('heading', { level: 1, name: title }).waitFor();
}

/** The row of a console table whose header cell (first column) is `name`. */
const row = (page: Page, table: string, name: string) =>
  page
    .getByRole('table', { name: table, exact: true })
    .getByRole('row')
    .filter({ has: page.getByRole('rowheader', { name, exact: true }) });

describe.skipIf(!!missing)(`the System Console in Chromium${missing ? ` — ${missing}` : ''}`, () => {
  beforeAll(async () => {
    if (!existsSync(join(REPO_ROOT, 'dist/web/index.html'))) throw new Error('dist/web is missing: run `npm run build` (it builds the web app too)');
    s3 = await startS3rver({ bucket: 'console-test' });
    // No job runs on this node, so a job stays pending until it is cancelled.
    server = await startServer({ MM_JOBSETTINGS_RUNJOBS: 'false' });
    admin = await server.newUser({ username: 'root' });
    member = await server.newUser({ username: 'mia' });
    team = await admin.client.createTeam({ name: 'console-team', display_name: 'Console Team', type: 'O' } as Team);
    await admin.client.addToTeam(team.id, member.user.id);
    channel = await admin.client.createChannel({ team_id: team.id, name: 'ops', display_name: 'Ops', type: 'O' } as Channel);
    await admin.client.addToChannel(member.user.id, channel.id);
    browser = await TestBrowser.launch('web');
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await s3?.stop();
  });

  it('tells a member the console is not theirs, without loading its code', async () => {
    const person = await browser.person('mia', server.url);
    const scripts: string[] = [];
    person.page.on('request', (r) => {
      if (r.resourceType() === 'script') scripts.push(r.url());
    });
    await person.page.goto('/admin_console/user_management/users');
    await person.page.waitForURL('**/login?**');
    await logIn(person.page, 'mia', member.password);
    await person.page.waitForURL('**/admin_console/user_management/users');
    await person.page.getByRole('heading', { name: 'Not allowed' }).waitFor();
    expect(scripts.filter((s) => /ConsoleLayout|console-directory/.test(s))).toEqual([]);
    // The server refuses her anyway.
    expect((await expectClientError(() => member.client.getConfig())).status_code).toBe(403);
    await person.context.close();
  });

  it('opens the console for a system admin, lazily, at the cluster page (one node: clustering off)', async () => {
    adminPerson = await browser.person('root', server.url);
    const page = adminPerson.page;
    await page.goto('/login?redirect_to=%2Fadmin_console');
    await logIn(page, 'root', admin.password);
    await page.waitForURL('**/admin_console/environment/high_availability');
    await page.getByRole('heading', { level: 1, name: 'Cluster' }).waitFor();
    await page.getByText('Clustering is off').waitFor();
  });

  it('finds a user, deactivates and activates them, changes their role, and revokes their sessions', async () => {
    const page = adminPerson.page;
    await openSection(page, 'Users', 'user_management/users');
    await page.getByRole('searchbox', { name: 'Search users' }).fill('mia');
    await page.getByRole('search').getByRole('button', { name: 'Search' }).click();
    const mia = row(page, 'Users', '@mia');
    await mia.waitFor();
    // The page first lists everyone; the search's answer then replaces the list.
    await expect.poll(() => page.getByRole('table', { name: 'Users' }).getByRole('row').count()).toBe(2);

    await mia.getByRole('button', { name: 'Deactivate @mia' }).click();
    await mia.getByRole('cell', { name: 'Deactivated' }).waitFor();
    expect((await admin.client.getUser(member.user.id)).delete_at).toBeGreaterThan(0);
    await mia.getByRole('button', { name: 'Activate @mia' }).click();
    await mia.getByRole('cell', { name: 'Active', exact: true }).waitFor();
    expect((await admin.client.getUser(member.user.id)).delete_at).toBe(0);

    await mia.getByRole('button', { name: 'Make system admin: @mia' }).click();
    // Exact: the actions cell's name ("… Make system admin: @mia …") contains the words too, and
    // matched before the answer came (a loaded run read the roles before the change).
    await mia.getByRole('cell', { name: 'System admin', exact: true }).waitFor();
    expect((await admin.client.getUser(member.user.id)).roles.split(' ')).toContain('system_admin');
    await mia.getByRole('button', { name: 'Make member: @mia' }).click();
    await mia.getByRole('cell', { name: 'Member', exact: true }).waitFor();
    expect((await admin.client.getUser(member.user.id)).roles).toBe('system_user');

    // Her API client logs in again (deactivation ended its session), then loses that session too.
    await member.client.login('mia', member.password);
    await mia.getByRole('button', { name: 'Revoke sessions: @mia' }).click();
    await page.getByText('Every session of @mia was revoked.').waitFor();
    expect((await expectClientError(() => member.client.getMe())).status_code).toBe(401);
    await member.client.login('mia', member.password);
    await browser.screenshot(page, 'console-users');
    expect(await accessibilityViolations(page)).toEqual([]);
  });

  it("lists a team's members, removes one, and archives a team", async () => {
    const page = adminPerson.page;
    const spare = await admin.client.createTeam({ name: 'spare-team', display_name: 'Spare Team', type: 'O' } as Team);
    await openSection(page, 'Teams', 'user_management/teams');
    const consoleTeam = row(page, 'Teams', 'Console Team');
    await consoleTeam.getByRole('button', { name: 'Members of Console Team' }).click();
    const members = page.getByRole('table', { name: 'Members of Console Team' });
    await members.getByRole('rowheader', { name: '@mia' }).waitFor();
    await members.getByRole('button', { name: 'Remove @mia' }).click();
    await page.getByText('@mia removed.').waitFor();
    expect((await admin.client.getTeamMembers(team.id)).map((m) => m.user_id)).not.toContain(member.user.id);
    // Leaving a team leaves its channels: back into both for the channels page.
    await admin.client.addToTeam(team.id, member.user.id);
    await admin.client.addToChannel(member.user.id, channel.id);

    const spareRow = row(page, 'Teams', 'Spare Team');
    await spareRow.getByRole('button', { name: 'Archive Spare Team' }).click();
    await spareRow.getByRole('button', { name: 'Yes, archive' }).click();
    await spareRow.getByRole('cell', { name: 'Archived' }).waitFor();
    expect((await admin.client.getTeam(spare.id)).delete_at).toBeGreaterThan(0);
  });

  it("lists a team's channels, removes a channel member, and archives a channel", async () => {
    const page = adminPerson.page;
    await openSection(page, 'Channels', 'user_management/channels');
    await page.getByLabel('Team', { exact: true }).selectOption({ label: 'Console Team' });
    const ops = row(page, 'Channels', 'Ops');
    await ops.waitFor();
    await row(page, 'Channels', 'Town Square').waitFor();
    await ops.getByRole('button', { name: 'Members of Ops' }).click();
    const members = page.getByRole('table', { name: 'Members of Ops' });
    await members.getByRole('button', { name: 'Remove @mia' }).click();
    await page.getByText('@mia removed.').waitFor();
    expect((await admin.client.getChannelMembers(channel.id)).map((m) => m.user_id)).not.toContain(member.user.id);

    await ops.getByRole('button', { name: 'Archive Ops' }).click();
    await ops.getByRole('button', { name: 'Yes, archive' }).click();
    await ops.getByRole('cell', { name: 'Archived' }).waitFor();
    expect((await admin.client.getChannel(channel.id)).delete_at).toBeGreaterThan(0);
  });

  it('runs a job, cancels it, and shows a job cancelled elsewhere without a reload', async () => {
    const page = adminPerson.page;
    await openSection(page, 'Jobs', 'environment/jobs');
    await page.getByLabel('Job type').selectOption('data_retention');
    await page.getByRole('button', { name: 'Run now' }).click();
    await page.getByText('Data retention job created.').waitFor();
    const jobs = page.getByRole('table', { name: 'Jobs' });
    await jobs.getByRole('cell', { name: 'pending' }).waitFor();
    const [created] = await admin.client.getJobsByType('data_retention');
    expect(created?.status).toBe('pending');
    await jobs.locator(`tr[data-job-id="${created!.id}"]`).getByRole('button', { name: 'Cancel' }).click();
    await jobs.locator(`tr[data-job-id="${created!.id}"]`).getByRole('cell', { name: 'canceled' }).waitFor();
    expect((await admin.client.getJob(created!.id)).status).toBe('canceled');

    // Another admin's job, cancelled through the API: the page follows (job_updated, or its polling).
    const other = await admin.client.createJob({ type: 'data_retention' } as never);
    await admin.client.cancelJob(other.id);
    await jobs.locator(`tr[data-job-id="${other.id}"]`).getByRole('cell', { name: 'canceled' }).waitFor({ timeout: 10_000 });
  });

  it('saves a config page through PUT /config and shows settings the environment sets as read-only', async () => {
    const page = adminPerson.page;
    await openSection(page, 'Web server', 'environment/web_server');
    const siteUrl = page.getByLabel('Site URL');
    expect(await siteUrl.isDisabled()).toBe(true);
    expect(await siteUrl.inputValue()).toBe(server.url);
    await page.getByText('Set by the environment variable MM_SERVICESETTINGS_SITEURL').waitFor();

    await openSection(page, 'SMTP', 'environment/smtp');
    await page.getByLabel('SMTP server', { exact: true }).fill('smtp.example.com');
    await page.getByLabel('SMTP server port').fill('2525');
    await page.getByLabel('Authenticate').check();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Settings saved.').waitFor();
    const saved = await admin.client.getConfig();
    expect(saved.EmailSettings).toMatchObject({ SMTPServer: 'smtp.example.com', SMTPPort: '2525', EnableSMTPAuth: true });
  });

  it("shows the server's message next to the setting it refuses, and saves nothing", async () => {
    const page = adminPerson.page;
    await openSection(page, 'File storage', 'environment/file_storage');
    const maxSize = page.getByLabel('Maximum file size (bytes)');
    await maxSize.fill('lots');
    await page.getByRole('button', { name: 'Save' }).click();
    const message = 'config: FileSettings.MaxFileSize must be a number, got string "lots"';
    await page.getByRole('alert').filter({ hasText: message }).waitFor();
    expect(await maxSize.getAttribute('aria-invalid')).toBe('true');
    await page.locator('.field-error', { hasText: message }).waitFor();

    await maxSize.fill('104857600');
    const decoders = page.getByLabel('Images decoded at once per node');
    await decoders.fill('0');
    await page.getByRole('button', { name: 'Save' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: 'config: FileSettings.MaxImageDecoderConcurrency must be -1 (one per CPU) or at least 1, got 0' })
      .waitFor();
    expect(await decoders.getAttribute('aria-invalid')).toBe('true');
    expect((await admin.client.getConfig()).FileSettings.MaxImageDecoderConcurrency).toBe(-1);
    await browser.screenshot(page, 'console-validation');
    expect(await accessibilityViolations(page)).toEqual([]);
    await decoders.fill('-1');
  });

  it("tests the S3 settings in the form against a real S3 server, and shows the server's message for a bucket that is not there", async () => {
    const page = adminPerson.page;
    await page.getByLabel('Bucket', { exact: true }).fill(s3.bucket);
    await page.getByLabel('Region').fill(s3.region);
    await page.getByLabel('Access key ID').fill(s3.accessKeyId);
    await page.getByLabel('Secret access key').fill(s3.secretAccessKey);
    await page.getByLabel('Endpoint').fill(s3.endpoint);
    await page.getByLabel('Use a secure connection').uncheck();
    await page.getByRole('button', { name: 'Test connection' }).click();
    await page.getByText('The S3 bucket answered: the connection works.').waitFor();

    await page.getByLabel('Bucket', { exact: true }).fill('no-such-bucket');
    await page.getByRole('button', { name: 'Test connection' }).click();
    const expected = await expectClientError(() =>
      admin.client.testS3Connection({
        FileSettings: {
          DriverName: 'amazons3',
          AmazonS3Bucket: 'no-such-bucket',
          AmazonS3AccessKeyId: s3.accessKeyId,
          AmazonS3SecretAccessKey: s3.secretAccessKey,
          AmazonS3Region: s3.region,
          AmazonS3Endpoint: s3.endpoint,
          AmazonS3SSL: false,
        },
      } as never),
    );
    await page.getByRole('alert').filter({ hasText: expected.message }).waitFor();
    // Testing saved nothing.
    expect((await admin.client.getConfig()).FileSettings.AmazonS3Bucket).toBe('');
  });

  it('ran every console page without a CSP violation or a script error', () => {
    expect(adminPerson.cspViolations).toEqual([]);
    expect(adminPerson.console.filter((line) => line.startsWith('pageerror:'))).toEqual([]);
  });
});
