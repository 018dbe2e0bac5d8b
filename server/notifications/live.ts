import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { userToViewer } from '../accounts/service.ts';
import { Id } from '../api/schemas.ts';
import { NotFound } from '../errors.ts';
import { requireMember, type MemberViewer } from '../policy/index.ts';

/** A comment line this often keeps proxies from closing a quiet stream, and re-checks the session. */
export const KEEP_ALIVE_MS = 25_000;

/**
 * Open streams per member in one process: one per open tab is plenty. Each stream costs a session
 * check per event it hears, so a script opening thousands would cost the server, not the member.
 */
export const MAX_STREAMS_PER_MEMBER = 8;

/**
 * Server-sent events for a signed-in member's open page: `notifications` (the bell's unread
 * count) whenever one of theirs is created or read, and `thread` (the open thread's post count)
 * whenever that thread changes. Events come from the bus (PostgreSQL LISTEN/NOTIFY, so a write in
 * another process counts too) and carry ids and counts only, never text.
 *
 * Every event is checked when it is sent, not only when the stream opens: the session is read
 * again (signed out, expired or suspended ends the stream with an `end` event), and the thread is
 * read again through the viewer's predicates (a member removed from its space hears nothing more).
 */
export const liveEvents: FastifyPluginAsyncTypebox<{ keepAliveMs?: number }> = async (app, options) => {
  const { accounts, forum, notifications } = app.services;
  const open = new Set<(sayWhy: boolean) => void>();
  const streamsOf = new Map<string, number>();
  // Before the server stops accepting and waits for connections: a stream never ends by itself.
  app.addHook('preClose', async () => {
    for (const end of [...open]) end(false);
  });

  app.get(
    '/events',
    { config: { access: 'member' }, schema: { hide: true, querystring: Type.Object({ thread: Type.Optional(Id) }) } },
    async (request, reply) => {
      let viewer: MemberViewer = requireMember(request.viewer);
      const sessionId = request.authSessionId;
      const threadId = request.query.thread;
      // Asked about a thread the viewer cannot read: a 404 like its page, before the stream starts.
      if (threadId !== undefined) await forum.thread(viewer, threadId);
      // Only an event-stream client gets a stream (EventSource always asks for one); anything else
      // would wait on an answer that never ends.
      if (!/\btext\/event-stream\b/.test(request.headers.accept ?? '')) {
        return reply.status(406).type('text/plain; charset=utf-8').send('This address answers with server-sent events (Accept: text/event-stream).');
      }
      const memberId = viewer.id;
      const streams = streamsOf.get(memberId) ?? 0;
      if (streams >= MAX_STREAMS_PER_MEMBER) {
        // EventSource does not retry after an error status: this page goes without live updates
        // (it still works; a reload brings them back once another tab is closed).
        return reply.status(429).type('text/plain; charset=utf-8').send('Too many pages of yours are open with live updates; close one and reload this one.');
      }
      streamsOf.set(memberId, streams + 1);

      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'private, no-store',
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'same-origin',
        // Proxies such as nginx would otherwise hold events back in a buffer.
        'x-accel-buffering': 'no',
      });
      let closed = false;
      let threadReadable = threadId !== undefined;
      const send = (event: string, data: Record<string, number>) => {
        if (!closed) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      };

      const end = (sayWhy: boolean) => {
        if (closed) return;
        if (sayWhy) res.write('event: end\ndata: {}\n\n');
        closed = true;
        const left = (streamsOf.get(memberId) ?? 1) - 1;
        if (left > 0) streamsOf.set(memberId, left);
        else streamsOf.delete(memberId);
        clearInterval(keepAlive);
        unsubscribe();
        open.delete(end);
        res.end();
      };

      /** The session as it is now; a fresh viewer (role, status) from it, or false when it is gone. */
      const stillSignedIn = async (): Promise<boolean> => {
        if (!sessionId) return false;
        const valid = await accounts.resumeSession(sessionId);
        if (!valid) return false;
        viewer = userToViewer(valid.user);
        return true;
      };

      // One check at a time per stream; a burst of events for one kind collapses into one check.
      const pending = new Set<string>();
      let queue: Promise<void> = Promise.resolve();
      const run = (kind: string, work: () => Promise<void>) => {
        if (pending.has(kind)) return;
        pending.add(kind);
        queue = queue
          .then(async () => {
            pending.delete(kind);
            if (closed) return;
            if (!(await stillSignedIn())) return end(true);
            await work();
          })
          .catch((error: unknown) => {
            request.log.warn({ err: error }, 'a live event could not be sent');
            end(false);
          });
      };

      const sendCount = async () => send('notifications', { unread: await notifications.unreadCount(viewer) });
      const sendThread = async () => {
        if (threadId === undefined || !threadReadable) return;
        try {
          const { thread } = await forum.thread(viewer, threadId);
          send('thread', { id: thread.id, postCount: thread.postCount });
        } catch (error) {
          if (!(error instanceof NotFound)) throw error;
          // Access was lost: nothing more about this thread, not even that it changed.
          threadReadable = false;
        }
      };

      const unsubscribe = app.events.subscribe((event) => {
        if (event === `user:${viewer.id}`) run('notifications', sendCount);
        // Their account or sessions changed (signed out, suspended): the stream ends now if its session did.
        else if (event === `member:${viewer.id}`) run('session', async () => {});
        else if (threadId !== undefined && event === `thread:${threadId}`) run('thread', sendThread);
      });
      const keepAlive = setInterval(() => {
        if (!closed) res.write(': keep-alive\n\n');
        run('session', async () => {});
      }, options.keepAliveMs ?? KEEP_ALIVE_MS);
      keepAlive.unref();
      open.add(end);
      request.raw.on('close', () => end(false));

      // Reconnect after 10 s if the connection drops; then the current count at once.
      res.write('retry: 10000\n\n');
      run('notifications', sendCount);
    },
  );
};
