import { eq } from 'drizzle-orm';
import nodemailer, { type SentMessageInfo, type Transport } from 'nodemailer';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { outboxMessages, users } from '../../db/schema/index.ts';
import { activityNotification, activityDigestItem } from '../../server/mail/notification-content.ts';
import { OUTBOX_KEEP_DAYS, SEND_MAIL } from '../../server/mail/service.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { Agent } from '../helpers/browser-session.ts';
import { freshDatabase } from '../helpers/database.ts';
import { createMember, memberWantingEmails, signedInAgent, type TestMember } from '../helpers/factories.ts';
import { eventually, linkToken, outboxTo } from '../helpers/mail.ts';

interface Delivered {
  to: string;
  subject: string;
  raw: string;
}

/**
 * A real nodemailer transport that keeps what it is given (the whole message, as it would go on
 * the wire) and can refuse the first few attempts the way a busy SMTP server does.
 */
function recordingTransport(refuseFirst = 0) {
  const delivered: Delivered[] = [];
  let attempts = 0;
  const transport: Transport<SentMessageInfo> = {
    name: 'recording',
    version: '1',
    send(mail, callback) {
      attempts += 1;
      if (attempts <= refuseFirst) {
        callback(new Error('421 4.3.2 Service not available, try again later'), undefined as never);
        return;
      }
      mail.message.build((error, raw) => {
        if (error) return callback(error, undefined as never);
        delivered.push({ to: String(mail.data.to), subject: String(mail.data.subject), raw: raw.toString('utf8') });
        callback(null, { messageId: mail.message.messageId(), envelope: mail.message.getEnvelope() } as SentMessageInfo);
      });
    },
  };
  return { transporter: nodemailer.createTransport(transport), delivered, attempts: () => attempts };
}


const addressOf = (member: TestMember) => `${member.handle}@example.org`;

describe('the development outbox (no SMTP server configured)', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp({ PUBLIC_URL: 'https://rounds.example.org' });
  });
  afterAll(async () => app.close());

  test('a queued e-mail is delivered to the outbox by the job queue, once', async () => {
    const member = await createMember(app);
    const message = await eventually(async () => (await outboxTo(app, addressOf(member))).find((m) => m.status === 'sent'), 'delivery');
    expect(message.deliveredVia).toBe('outbox');
    expect(message.attempts).toBe(1);
    expect(message.sentAt).not.toBeNull();
    // In the outbox the body stays readable: it is the only place the message goes.
    expect(message.textBody).toContain('/verify-email/');
  });

  test('delivered messages leave the outbox after 30 days; queued and failed ones stay', async () => {
    const member = await createMember(app);
    const sent = await eventually(async () => (await outboxTo(app, addressOf(member))).find((m) => m.status === 'sent'), 'delivery');
    const row = (status: 'queued' | 'failed', subject: string) => ({ kind: 'notification', toAddress: addressOf(member), subject, textBody: 'x', htmlBody: '<p>x</p>', status });
    const [queued, failed] = await app.database.db
      .insert(outboxMessages)
      .values([row('queued', 'still waiting'), row('failed', 'needs a look')])
      .returning({ id: outboxMessages.id });
    const day = 86_400_000;
    const sentAt = sent.sentAt!.getTime();
    // A day short of the limit: nothing goes.
    await app.services.mail.pruneDelivered(new Date(sentAt + (OUTBOX_KEEP_DAYS - 1) * day));
    expect((await outboxTo(app, addressOf(member))).map((m) => m.id).sort()).toEqual([sent.id, queued!.id, failed!.id].sort());
    await app.services.mail.pruneDelivered(new Date(sentAt + (OUTBOX_KEEP_DAYS + 1) * day));
    expect((await outboxTo(app, addressOf(member))).map((m) => m.id).sort()).toEqual([queued!.id, failed!.id].sort());
    await app.database.db.delete(outboxMessages).where(eq(outboxMessages.toAddress, addressOf(member)));
  });

  test('only admins can read the outbox, as a list and one message at a time', async () => {
    const admin = await createMember(app, { role: 'admin' });
    const member = await createMember(app);
    const [message] = await outboxTo(app, addressOf(member));
    const adminAgent = await signedInAgent(app, admin);
    const list = await adminAgent.get('/admin/outbox');
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain(`/admin/outbox/${message!.id}`);
    expect(list.body).toContain('No SMTP server is configured');
    const one = await adminAgent.get(`/admin/outbox/${message!.id}`);
    expect(one.statusCode).toBe(200);
    expect(one.body).toContain('Confirm your e-mail address for Rounds');
    expect(one.body).toContain(addressOf(member));
    expect((await adminAgent.get('/admin/outbox/999999999')).statusCode).toBe(404);

    const memberAgent = await signedInAgent(app, member);
    expect((await memberAgent.get('/admin/outbox')).statusCode).toBe(403);
    expect((await memberAgent.get(`/admin/outbox/${message!.id}`)).statusCode).toBe(403);
    const anonymous = await new Agent(app).get('/admin/outbox');
    expect(anonymous.statusCode).toBe(303);
  });

  test('notification e-mails go only to verified members who chose them, with one-click unsubscribe headers and a link', async () => {
    const unverified = await createMember(app);
    await app.database.db.update(users).set({ emailNotifications: 'immediately' }).where(eq(users.id, unverified.viewer.id));
    const off = await memberWantingEmails(app, 'off');
    const daily = await memberWantingEmails(app, 'daily');
    const immediate = await memberWantingEmails(app, 'immediately');
    const content = { subject: 'Dr A replied to <b>“Night shifts”</b>', text: 'A reply with <script>alert(1)</script> & more', url: '/t/1/night-shifts#p2' };
    expect(await app.services.mail.queueNotificationEmail(unverified.viewer.id, content)).toBeNull();
    expect(await app.services.mail.queueNotificationEmail(off.viewer.id, content)).toBeNull();
    expect(await app.services.mail.queueNotificationEmail(daily.viewer.id, content)).toBeNull();
    const id = await app.services.mail.queueNotificationEmail(immediate.viewer.id, content);
    expect(id).not.toBeNull();

    const [message] = (await outboxTo(app, addressOf(immediate))).filter((m) => m.kind === 'notification');
    expect(message!.subject).toBe(content.subject);
    expect(message!.textBody).toContain('https://rounds.example.org/t/1/night-shifts#p2');
    expect(message!.htmlBody).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; more');
    expect(message!.htmlBody).not.toContain('<script>');
    expect(message!.htmlBody).toContain('&lt;b&gt;');
    expect(message!.headers['List-Unsubscribe']).toMatch(/^<https:\/\/rounds\.example\.org\/api\/v1\/unsubscribe\/[\w.-]+>$/);
    expect(message!.headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    expect(message!.textBody).toMatch(/https:\/\/rounds\.example\.org\/unsubscribe\/[\w.-]+/);

    // A site path only: a notification cannot point readers at another site.
    await expect(app.services.mail.queueNotificationEmail(immediate.viewer.id, { ...content, url: 'https://evil.example/' })).rejects.toThrow();
  });

  test('a daily digest lists its items and goes only to members who chose the digest', async () => {
    const daily = await memberWantingEmails(app, 'daily');
    const immediate = await memberWantingEmails(app, 'immediately');
    const items = [
      activityDigestItem({ space: { level: 'public', name: 'Cardiology' }, headline: 'New thread “Beta blockers”', url: '/t/5/beta-blockers', target: { threadId: 5 } }),
      activityDigestItem({ space: null, headline: 'Dr B published “On call”', excerpt: 'A week of nights', url: '/blog/b/on-call', target: null }),
    ];
    expect(await app.services.mail.queueDigest(immediate.viewer.id, items)).toBeNull();
    expect(await app.services.mail.queueDigest(daily.viewer.id, [])).toBeNull();
    expect(await app.services.mail.queueDigest(daily.viewer.id, items)).not.toBeNull();
    const [digest] = (await outboxTo(app, addressOf(daily))).filter((m) => m.kind === 'digest');
    expect(digest!.subject).toBe('Your Rounds digest: 2 new items');
    expect(digest!.textBody).toContain('New thread “Beta blockers” (Cardiology)');
    expect(digest!.textBody).toContain('https://rounds.example.org/blog/b/on-call');
    expect(digest!.headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
  });

  test('one click in the mail client (RFC 8058) turns notification e-mails off, without signing in', async () => {
    const member = await memberWantingEmails(app, 'immediately');
    await app.services.mail.queueNotificationEmail(member.viewer.id, { subject: 'Hello', text: 'Something happened', url: '/' });
    const [message] = (await outboxTo(app, addressOf(member))).filter((m) => m.kind === 'notification');
    const url = new URL(message!.headers['List-Unsubscribe']!.slice(1, -1));
    const res = await app.inject({
      method: 'POST',
      url: url.pathname,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'List-Unsubscribe=One-Click',
    });
    expect(res.statusCode).toBe(200);
    const [user] = await app.database.db.select().from(users).where(eq(users.id, member.viewer.id));
    expect(user!.emailNotifications).toBe('off');
    expect(await app.services.mail.queueNotificationEmail(member.viewer.id, { subject: 'Again', text: 'More', url: '/' })).toBeNull();
  });

  test('the unsubscribe link in the e-mail opens a page whose one button turns e-mails off', async () => {
    const member = await memberWantingEmails(app, 'daily');
    const token = linkToken(app.services.mail.unsubscribeUrl(member.viewer.id), '/unsubscribe/');
    const visitor = new Agent(app);
    const page = await visitor.get(`/unsubscribe/${token}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Stop notification e-mails?');
    const [before] = await app.database.db.select().from(users).where(eq(users.id, member.viewer.id));
    expect(before!.emailNotifications).toBe('daily');
    const done = await visitor.postForm(`/unsubscribe/${token}`, {});
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain('You are unsubscribed');
    const [after] = await app.database.db.select().from(users).where(eq(users.id, member.viewer.id));
    expect(after!.emailNotifications).toBe('off');
  });

  test('an unsubscribe link not signed by the site does nothing', async () => {
    const member = await memberWantingEmails(app, 'immediately');
    const token = linkToken(app.services.mail.unsubscribeUrl(member.viewer.id), '/unsubscribe/');
    const [id] = token.split('.');
    const forged = `${id}.${'A'.repeat(43)}`;
    for (const bad of [forged, 'garbage', `${token}.extra`]) {
      expect((await app.inject({ method: 'POST', url: `/api/v1/unsubscribe/${bad}` })).statusCode).toBe(404);
      expect((await new Agent(app).get(`/unsubscribe/${bad}`)).statusCode).toBe(404);
    }
    const [user] = await app.database.db.select().from(users).where(eq(users.id, member.viewer.id));
    expect(user!.emailNotifications).toBe('immediately');
  });

  test('the notification choice is made in settings (off by default)', async () => {
    const member = await createMember(app);
    const agent = await signedInAgent(app, member);
    const page = await agent.get('/settings');
    expect(page.body).toMatch(/<input type="radio" name="emailNotifications" value="off" checked/);
    expect((await agent.postForm('/settings/notifications', { emailNotifications: 'daily' })).statusCode).toBe(303);
    expect((await agent.get('/settings')).body).toMatch(/<input type="radio" name="emailNotifications" value="daily" checked/);
    expect((await agent.postForm('/settings/notifications', { emailNotifications: 'hourly' })).statusCode).toBe(400);
  });
});

describe('an e-mail in a confidential space', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp({ PUBLIC_URL: 'https://rounds.example.org' });
  });
  afterAll(async () => app.close());

  const activity = {
    space: { level: 'confidential' as const, name: 'CONFMARK-space' },
    headline: 'CONFMARK-author replied to “CONFMARK-thread”',
    excerpt: 'CONFMARK-body of the reply',
    url: '/t/42/confmark-thread#p7',
    target: { postId: 4242 },
  };

  test('carries no name, title, text or author from the space: only "New activity in a confidential space" and a link by number', async () => {
    const member = await memberWantingEmails(app, 'immediately');
    const content = activityNotification(activity);
    expect(JSON.stringify(content)).not.toMatch(/confmark/i);
    expect(content.subject).toBe('New activity in a confidential space');
    expect(content.url).toBe('/p/4242');
    await app.services.mail.queueNotificationEmail(member.viewer.id, content);

    const digestMember = await memberWantingEmails(app, 'daily');
    await app.services.mail.queueDigest(digestMember.viewer.id, [activityDigestItem(activity), activityDigestItem({ ...activity, target: { threadId: 42 } })]);

    for (const address of [addressOf(member), addressOf(digestMember)]) {
      const messages = (await outboxTo(app, address)).filter((m) => m.kind === 'notification' || m.kind === 'digest');
      expect(messages).toHaveLength(1);
      const whole = JSON.stringify([messages[0]!.subject, messages[0]!.textBody, messages[0]!.htmlBody, messages[0]!.headers]);
      expect(whole).not.toMatch(/confmark/i);
      expect(whole).toContain('New activity in a confidential space');
    }
  });

  test('the same activity outside a confidential space says what happened', () => {
    const content = activityNotification({ ...activity, space: { level: 'members', name: 'CONFMARK-space' } });
    expect(content.subject).toContain('CONFMARK-thread');
    expect(content.url).toBe('/t/42/confmark-thread#p7');
  });
});

describe('sending through a transport (SMTP)', () => {
  test('a refused attempt is retried, and the message is delivered once; its one-time link leaves the outbox after delivery', async () => {
    const recorder = recordingTransport(1);
    const app = await createTestApp({ MAIL_RETRY_DELAY_SECONDS: '0' }, { overrides: { mailTransport: recorder.transporter } });
    try {
      const member = await createMember(app);
      const address = addressOf(member);
      const failed = await eventually(async () => (await outboxTo(app, address)).find((m) => m.attempts >= 1), 'the first attempt');
      expect(failed.status === 'failed' || failed.status === 'sent').toBe(true);
      const sent = await eventually(async () => (await outboxTo(app, address)).find((m) => m.status === 'sent'), 'delivery after a retry');
      expect(sent.attempts).toBe(2);
      expect(sent.deliveredVia).toBe('smtp');
      expect(recorder.attempts()).toBe(2);
      expect(recorder.delivered.filter((d) => d.to === address)).toHaveLength(1);
      const [mailed] = recorder.delivered;
      expect(mailed!.raw).toMatch(/^From: Rounds <no-reply@localhost>/m);
      expect(mailed!.raw).toContain('Content-Type: multipart/alternative');
      expect(mailed!.raw).toContain('/verify-email/');
      expect(sent.textBody).not.toContain('/verify-email/');
      expect(sent.lastError).toBeNull();
    } finally {
      await app.close();
    }
  });

  test('notification e-mails carry the List-Unsubscribe headers on the wire', async () => {
    const recorder = recordingTransport();
    const app = await createTestApp({}, { overrides: { mailTransport: recorder.transporter } });
    try {
      const member = await memberWantingEmails(app, 'immediately');
      await app.services.mail.queueNotificationEmail(member.viewer.id, { subject: 'Hello', text: 'Something happened', url: '/' });
      const mailed = await eventually(async () => recorder.delivered.find((d) => d.subject === 'Hello'), 'the notification');
      expect(mailed.raw).toMatch(/^List-Unsubscribe:\s+<http:\/\/127\.0\.0\.1:3000\/api\/v1\/unsubscribe\/[\w.-]+>/m);
      expect(mailed.raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click/m);
    } finally {
      await app.close();
    }
  });

  test('a message queued before a restart is sent once by the next process, and a repeated job sends nothing more', async () => {
    const database = await freshDatabase();
    try {
      // This process only enqueues (JOBS_WORK=0), and closes before anything is sent.
      const first = await createTestApp({ JOBS_WORK: '0' }, { database });
      const member = await createMember(first);
      const address = addressOf(member);
      const [queued] = await outboxTo(first, address);
      expect(queued!.status).toBe('queued');
      await first.close();

      const recorder = recordingTransport();
      const second = await createTestApp({}, { database, overrides: { mailTransport: recorder.transporter } });
      try {
        const sent = await eventually(async () => (await outboxTo(second, address)).find((m) => m.status === 'sent'), 'delivery after the restart');
        expect(sent.attempts).toBe(1);
        // The same message's job again (a duplicate, or a retry after a lost acknowledgement) finds it sent.
        await second.jobs.send(SEND_MAIL, { messageId: sent.id });
        await new Promise((resolve) => setTimeout(resolve, 1500));
        expect(recorder.delivered.filter((d) => d.to === address)).toHaveLength(1);
        const [after] = await second.database.db.select().from(outboxMessages).where(eq(outboxMessages.id, sent.id));
        expect(after!.attempts).toBe(1);
      } finally {
        await second.close();
      }
    } finally {
      await database.close();
    }
  });
});
