import type { PageContext } from '../../context.ts';
import { Badge, Breadcrumbs, Time } from '../components.tsx';
import { Layout } from '../layout.tsx';

export interface OutboxSummary {
  id: number;
  kind: string;
  toAddress: string;
  subject: string;
  status: 'queued' | 'sent' | 'failed';
  attempts: number;
  createdAt: Date;
  sentAt: Date | null;
}

export interface OutboxMessageView extends OutboxSummary {
  textBody: string;
  headers: Record<string, string>;
  lastError: string | null;
  deliveredVia: string | null;
}

const STATUS_LABEL = { queued: 'Queued', sent: 'Sent', failed: 'Failed' } as const;

function Status({ status }: { status: OutboxSummary['status'] }) {
  return <Badge kind={`outbox-${status}`}>{STATUS_LABEL[status]}</Badge>;
}

/** The development outbox: every e-mail the site sent or will send, newest first. */
export function OutboxPage({ ctx, messages, smtp, olderHref }: { ctx: PageContext; messages: OutboxSummary[]; smtp: boolean; olderHref: string | null }) {
  return (
    <Layout ctx={ctx} title="Outbox" noindex>
      <Breadcrumbs items={[{ label: 'Admin', href: '/admin' }, { label: 'Outbox' }]} />
      <h1>Outbox</h1>
      <p class="hint">
        {smtp
          ? 'Every e-mail is sent through the SMTP server in SMTP_URL and recorded here. Messages carrying a one-time link keep only their subject once sent.'
          : 'No SMTP server is configured (SMTP_URL), so e-mails are delivered here only: nobody receives them by mail.'}
      </p>
      {messages.length === 0 ? (
        <p class="empty">No e-mails yet.</p>
      ) : (
        <table class="token-table outbox-table" aria-label="E-mails, newest first">
          <thead>
            <tr>
              <th scope="col">Subject</th>
              <th scope="col">To</th>
              <th scope="col">Status</th>
              <th scope="col">Queued</th>
            </tr>
          </thead>
          <tbody>
            {messages.map((m) => (
              <tr>
                <th scope="row">
                  <a href={`/admin/outbox/${m.id}`}>{m.subject}</a>
                </th>
                <td>{m.toAddress}</td>
                <td>
                  <Status status={m.status} /> {m.attempts > 1 && <span class="hint">{m.attempts} attempts</span>}
                </td>
                <td>
                  <Time at={m.createdAt} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {olderHref && (
        <p>
          <a href={olderHref}>Older e-mails</a>
        </p>
      )}
    </Layout>
  );
}

export function OutboxMessagePage({ ctx, message }: { ctx: PageContext; message: OutboxMessageView }) {
  return (
    <Layout ctx={ctx} title={`E-mail ${message.id}`} noindex>
      <Breadcrumbs items={[{ label: 'Admin', href: '/admin' }, { label: 'Outbox', href: '/admin/outbox' }, { label: `E-mail ${message.id}` }]} />
      <h1>{message.subject}</h1>
      <dl class="outbox-meta">
        <dt>To</dt>
        <dd>{message.toAddress}</dd>
        <dt>Kind</dt>
        <dd>{message.kind}</dd>
        <dt>Status</dt>
        <dd>
          <Status status={message.status} /> after {message.attempts} {message.attempts === 1 ? 'attempt' : 'attempts'}
          {message.deliveredVia && ` (${message.deliveredVia === 'smtp' ? 'SMTP' : 'development outbox'})`}
        </dd>
        <dt>Queued</dt>
        <dd>
          <Time at={message.createdAt} absolute />
        </dd>
        {message.sentAt && (
          <>
            <dt>Sent</dt>
            <dd>
              <Time at={message.sentAt} absolute />
            </dd>
          </>
        )}
        {message.lastError && (
          <>
            <dt>Last error</dt>
            <dd>{message.lastError}</dd>
          </>
        )}
        {Object.entries(message.headers).map(([name, value]) => (
          <>
            <dt>{name}</dt>
            <dd class="outbox-header">{value}</dd>
          </>
        ))}
      </dl>
      <h2>Text</h2>
      {/* The plain-text body is what the HTML one says too; showing text keeps the page free of the mail's markup. */}
      <pre class="outbox-body">{message.textBody}</pre>
    </Layout>
  );
}
