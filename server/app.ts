import compress from '@fastify/compress';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance } from 'fastify';
import { randomUUID } from 'node:crypto';
import { constants as zlibConstants } from 'node:zlib';
import type { DatabaseHandle } from '../db/client.ts';
import { isFingerprinted, STATIC_DIR } from '../web/assets.ts';
import { registerWeb, renderErrorPage } from '../web/register.tsx';
import { accountsApi } from './accounts/routes.ts';
import { blogsApi } from './blogs/routes.ts';
import { createBlogsService, SCHEDULE_SWEEP_MS } from './blogs/service.ts';
import { createAccountsService } from './accounts/service.ts';
import { createSessionManager } from './accounts/sessions.ts';
import type { Config } from './config.ts';
import { forumApi } from './forum/routes.ts';
import { createJobs, type Jobs } from './jobs/queue.ts';
import { createAccountEmails } from './mail/account-emails.ts';
import { mailApi } from './mail/routes.ts';
import { createMailService } from './mail/service.ts';
import { createMailTransport, type MailTransport } from './mail/transport.ts';
import { createForumService } from './forum/service.ts';
import { moderationApi } from './moderation/routes.ts';
import { createNotificationEmails, DIGEST_CRON, DIGEST_JOB, NOTIFICATION_EMAIL_JOB } from './notifications/emails.ts';
import { createNotifier } from './notifications/notifier.ts';
import { liveEvents } from './notifications/live.ts';
import { notificationsApi } from './notifications/routes.ts';
import { createNotificationsService } from './notifications/service.ts';
import { createModerationService } from './moderation/service.ts';
import { searchApi } from './search/routes.ts';
import { createSearchGate } from './search/gate.ts';
import { createSearchService } from './search/service.ts';
import { createEventBus, type EventBus } from './events/bus.ts';
import { createMemberCache } from './events/member-cache.ts';
import { anonymousCache } from './plugins/anonymous-cache.ts';
import { databaseRateLimitStore } from './plugins/rate-limits/store.ts';
import { bodyParsers } from './plugins/body-parsers.ts';
import { errorHandling } from './plugins/errors.ts';
import { loggerOptions, requestIdHeader, type LogStream } from './plugins/logging.ts';
import { metricsPlugin } from './plugins/metrics.ts';
import { routeAccess } from './plugins/route-access.ts';
import { securityHeaders } from './plugins/security-headers.ts';
import { viewerPlugin } from './plugins/viewer.ts';
import { visitorSession } from './plugins/visitor-session.ts';
import { writesHeard } from './plugins/writes-heard.ts';
import './plugins/types.ts';
import { membershipApi } from './spaces/membership-routes.ts';
import { createMembershipService } from './spaces/membership.ts';
import { spacesApi } from './spaces/routes.ts';
import { createSpacesService } from './spaces/service.ts';

export interface Services {
  accounts: ReturnType<typeof createAccountsService>;
  spaces: ReturnType<typeof createSpacesService>;
  forum: ReturnType<typeof createForumService>;
  membership: ReturnType<typeof createMembershipService>;
  moderation: ReturnType<typeof createModerationService>;
  blogs: ReturnType<typeof createBlogsService>;
  notifications: ReturnType<typeof createNotificationsService>;
  mail: ReturnType<typeof createMailService>;
  accountEmails: ReturnType<typeof createAccountEmails>;
  search: ReturnType<typeof createSearchService>;
}

/** What a caller (a test, a worker-only process) may put in place of what the config would build. */
export interface AppOverrides {
  /** A nodemailer transport instead of the one SMTP_URL names (or the outbox alone). */
  mailTransport?: MailTransport;
  logStream?: LogStream;
}

declare module 'fastify' {
  interface FastifyInstance {
    services: Services;
    config: Config;
    /** What changed, heard from the database by every process (LISTEN/NOTIFY). */
    events: EventBus;
    /** The background job queue (pg-boss): later features define their queues on it. */
    jobs: Jobs;
  }
}

export type App = FastifyInstance;

const BODY_LIMIT = 1_048_576;

/**
 * Builds the whole app from a config and a database; tests build it too, and it never listens here.
 * `overrides.logStream`: where the JSON log lines go instead of stdout (tests read them).
 */
export async function buildApp(config: Config, database: DatabaseHandle, overrides: AppOverrides = {}) {
  const app = Fastify({
    logger: config.logLevel === 'silent' ? false : loggerOptions(config.logLevel, overrides.logStream),
    bodyLimit: BODY_LIMIT,
    // On close: idle keep-alive sockets are closed at once, those with a request in flight after it.
    forceCloseConnections: 'idle',
    trustProxy: config.env === 'production',
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && /^[\w-]{1,64}$/.test(given) ? given : randomUUID();
    },
    routerOptions: { ignoreTrailingSlash: true },
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: true } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  const db = database.db;
  const events = createEventBus(database, { onError: (error) => app.log.error({ err: error }, 'an event listener failed') });
  app.decorate('events', events);
  app.addHook('onClose', async () => events.close());
  // A minute at most, whatever the events say; 50,000 entries: the five answers for each of 10,000 members active within that minute.
  const remembered = createMemberCache(events, { ttlMs: 60_000, maxEntries: 50_000 });
  const sessions = createSessionManager(db, { ...config.session, secureCookies: config.secureCookies });
  const jobs = createJobs(database, {
    work: config.jobs.work,
    pollSeconds: config.jobs.pollSeconds,
    onError: (error) => app.log.warn({ err: error }, 'job queue error'),
  });
  const transport = overrides.mailTransport !== undefined ? overrides.mailTransport : createMailTransport(config.mail.smtpUrl);
  const mail = createMailService(db, jobs, {
    publicUrl: config.publicUrl,
    from: config.mail.from,
    secret: config.sessionSecret,
    transport,
    retryLimit: config.mail.retryLimit,
    retryDelaySeconds: config.mail.retryDelaySeconds,
  });
  const accountEmails = createAccountEmails(db, mail, jobs);
  const accounts = createAccountsService(db, sessions, remembered, config.rateLimits, {
    registered: (tx, user) => accountEmails.queueVerification(user, tx),
  });
  // The public spaces' boards are kept as long as an anonymous page (2 s): every home page shows them.
  const spaces = createSpacesService(db, config.privateSpaces, { events, publicBoardsMs: config.anonymousCacheMs });
  // Created by the writes that cause them (in their transactions); `notifier.onCreated` is the hook
  // for anything that must follow a new notification, such as e-mail.
  const notifier = createNotifier();
  const moderation = createModerationService(db, notifier, remembered, { suspended: (tx, member) => accountEmails.queueSuspensionNotice(tx, member) });
  // Posts and blog entries are admitted under the settings moderation keeps (read once per process).
  const forum = createForumService(db, spaces, notifier, moderation.settings);
  // Raising a space's level must take its pages out of the anonymous cache at once (versioned
  // thread pages notice by themselves; timed ones such as board and home pages do not).
  const membership = createMembershipService(db, notifier, remembered, { levelRaised: () => app.anonymousPages.clear() });
  const blogs = createBlogsService(db, spaces, notifier, moderation.settings);
  const notifications = createNotificationsService(db, notifier, spaces, forum, remembered);
  const search = createSearchService(db, spaces, forum, createSearchGate(config.search), { perMinute: config.rateLimits.searchPerMinute });
  app.decorate('services', { accounts, spaces, forum, membership, moderation, blogs, notifications, mail, accountEmails, search });
  app.decorate('jobs', jobs);
  // Notification e-mails: queued in the transaction that created the notifications, written and
  // sent by a job (as each recipient may read the subject then); digests once a day.
  const notificationEmails = createNotificationEmails(db, { mail, memberViewer: accounts.memberViewer });
  jobs.define<{ ids: number[] }>(NOTIFICATION_EMAIL_JOB, async ({ ids }) => notificationEmails.sendNow(ids), { retryLimit: 5 });
  jobs.define(DIGEST_JOB, async () => void (await notificationEmails.sendDigests(new Date())), { retryLimit: 3 });
  // Only for recipients who asked for e-mail at once when the notification was made (the job checks
  // again as it writes): most replies concern nobody who did, and then no job is queued at all.
  // Keyed by the batch's first id: the queues are 'stately' (one waiting job per key), and every batch must get its own.
  notifier.onCreated(async (tx, created) => {
    const ids = created.filter((c) => c.emailNow).map((c) => c.id);
    if (ids.length > 0) await jobs.send(NOTIFICATION_EMAIL_JOB, { ids }, { tx, singletonKey: `batch-${ids[0]}` });
  });
  // Queues are defined by the services above; workers start once the app is ready and stop
  // (after their running jobs finish) when it closes.
  app.addHook('onReady', async () => {
    await jobs.start();
    if (config.jobs.work) await jobs.schedule(DIGEST_JOB, DIGEST_CRON);
  });
  app.addHook('onClose', async () => {
    await jobs.stop();
    transport?.close();
  });
  // Scheduled entries already read as published once due; this only tidies their status, at
  // start-up (an entry due while the app was down) and then every minute.
  const sweepScheduled = () => blogs.sweepScheduled().catch((error: unknown) => app.log.warn({ err: error }, 'publishing scheduled entries failed'));
  let sweeper: NodeJS.Timeout | undefined;
  app.addHook('onReady', async () => {
    await sweepScheduled();
    sweeper = setInterval(sweepScheduled, SCHEDULE_SWEEP_MS);
    sweeper.unref();
  });
  app.addHook('onClose', async () => clearInterval(sweeper));
  // A request still in flight when the server starts closing ends its keep-alive connection with
  // its answer; otherwise the idle socket would hold the close until its keep-alive timeout.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (_request, reply) => {
    if (closing) reply.header('connection', 'close');
  });
  app.decorate('config', config);

  await app.register(requestIdHeader);
  await app.register(routeAccess, { assetPrefix: '/static/', moderatesAnything: moderation.moderatesAnything, operatorToken: config.metricsToken });
  await app.register(errorHandling, { renderPage: renderErrorPage, bodyLimit: BODY_LIMIT });
  await app.register(bodyParsers);
  await app.register(metricsPlugin, { database, searchLoad: search.gate.load });
  // Before the security headers: a cache hit skips helmet (the stored page keeps the headers it was first sent with).
  // 16 MiB of compressed pages (~1,800 thread pages, gzip and brotli): at 32 MiB the full cache was
  // ~40 MB of the process's RSS, which must stay under 300 MB through the benchmark.
  await app.register(anonymousCache, { ttlMs: config.anonymousCacheMs, maxBytes: 16 * 1024 * 1024, events });
  await app.register(writesHeard, { events });
  // Every other answer worth it (signed-in pages, JSON, feeds, stylesheets) leaves compressed, on
  // every request, as nothing of it is kept: brotli at quality 1 for clients that take it (every
  // browser over HTTPS), gzip level 1 for the rest. On a 40 KB signed-in thread page brotli q1 makes
  // 7.7 KB in ~0.14 ms, gzip level 1 8.1 KB in ~0.29 ms, brotli q4 6.7 KB in ~0.6 ms (one call
  // each, alone). Under load the difference was larger (each gzip call allocates ~256 KB of deflate
  // state, which may be why): with brotli q1 the page cost 2.4–2.6 instead of 3.1–3.4 ms of the
  // server's CPU (2026-11-28, interleaved runs on one machine). A reverse proxy that compresses
  // passes these through. Request bodies are not inflated: a small gzip body could expand past the
  // limit.
  // Compressed in one synchronous call up to 256 KB: above its default (8 KB on two cores) pages
  // took zlib's stream path, and a signed-in thread page cost ~1 ms more instead of ~0.2 ms.
  // Its hooks attach to routes declared from here on, and run after the cache's (already encoded).
  await app.register(compress, {
    global: true,
    globalDecompression: false,
    encodings: ['br', 'gzip', 'deflate'],
    brotliOptions: { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 1 } },
    zlibOptions: { level: 1 },
    syncThreshold: 256 * 1024,
  });
  await app.register(securityHeaders, { hsts: config.secureCookies });
  await app.register(visitorSession, { db, remembered, secret: config.sessionSecret, secure: config.secureCookies });
  await app.register(viewerPlugin, { accounts, secureCookies: config.secureCookies });
  // Counted in the database: several app processes behind one load balancer share one limit.
  await app.register(rateLimit, { global: false, store: databaseRateLimitStore(db) });
  await app.register(swagger, {
    openapi: {
      info: { title: 'Rounds API', version: '1' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    // Page routes carry schemas for form validation; only the JSON API belongs in the document.
    transform: ({ schema, url }) => ({ schema: url.startsWith('/api/v1') ? schema : { ...schema, hide: true }, url }),
  });

  await app.register(fastifyStatic, {
    root: STATIC_DIR,
    prefix: '/static/',
    maxAge: config.env === 'production' ? '1d' : 0,
    decorateReply: false,
  });
  // Pages link to static files by content hash: those answers never change, so they are kept a year.
  app.addHook('onSend', async (request, reply, payload) => {
    if (config.env === 'production' && reply.statusCode === 200 && request.url.startsWith('/static/') && isFingerprinted(request.url)) {
      reply.header('cache-control', 'public, max-age=31536000, immutable');
    }
    return payload;
  });

  app.get('/api/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async () => app.swagger());
  app.get('/healthz', { config: { access: 'public' }, schema: { hide: true } }, async () => ({ ok: true }));
  app.get('/readyz', { config: { access: 'public' }, schema: { hide: true } }, async (_request, reply) => {
    try {
      await database.ping();
      return { ready: true };
    } catch {
      return reply.status(503).send({ ready: false });
    }
  });

  await app.register(
    async (api) => {
      await api.register(accountsApi);
      await api.register(spacesApi);
      await api.register(membershipApi);
      await api.register(forumApi);
      await api.register(moderationApi);
      await api.register(blogsApi);
      await api.register(notificationsApi);
      await api.register(mailApi);
      await api.register(searchApi);
    },
    { prefix: '/api/v1' },
  );
  await app.register(liveEvents);
  await app.register(registerWeb);

  return app;
}
