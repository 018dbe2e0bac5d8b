import type { ComponentChildren } from 'preact';
import type { SeeAlso } from '../../server/errors.ts';
import { utcMinute } from '../../server/text/utc-minute.ts';
import type { PageContext } from '../context.ts';

export function CsrfField({ ctx }: { ctx: PageContext }) {
  return <input type="hidden" name="_csrf" value={ctx.csrfToken} />;
}

/** A POST button that works without JavaScript (a one-button form). */
export function PostButton(props: { ctx: PageContext; action: string; label: string; ariaLabel?: string; class?: string; confirm?: string; fields?: Record<string, string> }) {
  return (
    <form method="post" action={props.action} class="inline-form" data-confirm={props.confirm}>
      <CsrfField ctx={props.ctx} />
      {Object.entries(props.fields ?? {}).map(([name, value]) => (
        <input type="hidden" name={name} value={value} />
      ))}
      <button type="submit" class={props.class ?? 'button-link'} aria-label={props.ariaLabel}>
        {props.label}
      </button>
    </form>
  );
}

/** A moment, said relatively ("3 h ago"), or as a date and time when `absolute` (e.g. when a sanction ends). */
export function Time({ at, absolute }: { at: Date; absolute?: boolean }) {
  const iso = at.toISOString();
  const exact = utcMinute(at, iso);
  return (
    <time datetime={iso} title={exact} data-absolute={absolute ? '' : undefined}>
      {absolute ? exact : relative(at)}
    </time>
  );
}

export function relative(at: Date, now = Date.now()): string {
  const seconds = Math.round((now - at.getTime()) / 1000);
  if (seconds < 60) return 'just now';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  const days = Math.round(hours / 24);
  if (days < 30) return `${days} d ago`;
  return at.toISOString().slice(0, 10);
}

/**
 * How long from `now` `relative(at)` keeps printing the same words (Infinity once it prints a
 * date): a stored page that shows the time is stale after that. Mirrors relative()'s rounding: its
 * words depend only on the whole seconds, and change when the count they print goes up by one.
 */
export function relativeStableForMs(at: Date, now = Date.now()): number {
  const ageMs = now - at.getTime();
  const seconds = Math.round(ageMs / 1000);
  // The smallest whole-second age at which a rounded count reaches `count`: round(s / 60) >= count.
  const secondsFor = (minutes: number) => 60 * minutes - 30;
  const minutesFor = (hours: number) => 60 * hours - 30;
  const hoursFor = (days: number) => 24 * days - 12;
  let next: number;
  if (seconds < 60) next = 60;
  else {
    const minutes = Math.round(seconds / 60);
    if (minutes < 60) next = secondsFor(minutes + 1);
    else {
      const hours = Math.round(minutes / 60);
      if (hours < 24) next = secondsFor(minutesFor(hours + 1));
      else {
        const days = Math.round(hours / 24);
        if (days >= 30) return Infinity;
        next = secondsFor(minutesFor(hoursFor(days + 1)));
      }
    }
  }
  // Math.round(ms / 1000) reaches `next` at next - 0.5 s.
  return Math.max(0, (next - 0.5) * 1000 - ageMs);
}

export interface FieldProps {
  name: string;
  /** Needed when one page has several forms with the same field names. */
  id?: string;
  label: string;
  value?: string;
  error?: string;
  type?: string;
  hint?: string;
  required?: boolean;
  autocomplete?: string;
  maxLength?: number;
  minLength?: number;
  multiline?: boolean;
  rows?: number;
  autofocus?: boolean;
}

/** A labelled input whose error is tied to it for screen readers and which keeps what was typed. */
/** A set of radio buttons under one legend; an error marks the legend, not each option. */
export function Choice(props: { name: string; legend: string; value: string; error?: string | undefined; options: { value: string; label: string; hint: string }[] }) {
  return (
    <fieldset class={props.error ? 'field choice has-error' : 'field choice'}>
      <legend>{props.legend}</legend>
      {props.options.map((o) => (
        <label class="choice-option">
          <input type="radio" name={props.name} value={o.value} checked={props.value === o.value} />
          <span>
            <strong>{o.label}</strong> <span class="hint">{o.hint}</span>
          </span>
        </label>
      ))}
      {props.error?.trim() && <p class="field-error">{props.error}</p>}
    </fieldset>
  );
}

export function Field(p: FieldProps) {
  const id = p.id ?? `f-${p.name}`;
  const describedBy = [p.hint ? `${id}-hint` : '', p.error?.trim() ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  const common = {
    id,
    name: p.name,
    required: p.required,
    'aria-invalid': p.error ? ('true' as const) : undefined,
    'aria-describedby': describedBy,
    maxLength: p.maxLength,
    minLength: p.minLength,
    autoComplete: p.autocomplete,
    autoFocus: p.autofocus,
  };
  return (
    <div class={p.error ? 'field has-error' : 'field'}>
      <label for={id}>{p.label}</label>
      {p.hint && (
        <p class="hint" id={`${id}-hint`}>
          {p.hint}
        </p>
      )}
      {p.multiline ? <textarea {...common} rows={p.rows ?? 8} value={p.value ?? ''} /> : <input {...common} type={p.type ?? 'text'} value={p.value ?? ''} />}
      {p.error?.trim() && (
        <p class="field-error" id={`${id}-error`}>
          {p.error}
        </p>
      )}
    </div>
  );
}

export function ErrorSummary({ message, see }: { message?: string | undefined; see?: SeeAlso | undefined }) {
  if (!message) return null;
  return (
    // Focus moves here when a form comes back refused, so a screen reader says why at once.
    <div class="notice notice-error" role="alert" tabIndex={-1} autoFocus>
      {message}
      {see && (
        <>
          {' '}
          <a href={see.href}>{see.label}</a>
        </>
      )}
    </div>
  );
}

export function Pagination({ page, pages, href }: { page: number; pages: number; href: (page: number) => string }) {
  if (pages <= 1) return null;
  const shown = [...new Set([1, page - 2, page - 1, page, page + 1, page + 2, pages])].filter((n) => n >= 1 && n <= pages).sort((a, b) => a - b);
  return (
    <nav class="pagination" aria-label="Pages">
      {page > 1 && (
        <a href={href(page - 1)} rel="prev">
          ← Previous
        </a>
      )}
      {shown.map((n, i) => (
        <>
          {i > 0 && n - shown[i - 1]! > 1 && <span class="gap">…</span>}
          {n === page ? (
            <span aria-current="page" class="current">
              {n}
            </span>
          ) : (
            <a href={href(n)}>{n}</a>
          )}
        </>
      ))}
      {page < pages && (
        <a href={href(page + 1)} rel="next">
          Next →
        </a>
      )}
    </nav>
  );
}

export function Breadcrumbs({ items }: { items: { label: string; href?: string }[] }) {
  return (
    <nav aria-label="Breadcrumb" class="breadcrumbs">
      <ol>
        {items.map((item) => (
          <li>{item.href ? <a href={item.href}>{item.label}</a> : <span aria-current="page">{item.label}</span>}</li>
        ))}
      </ol>
    </nav>
  );
}

export function Badge({ children, kind }: { children: ComponentChildren; kind?: string }) {
  return <span class={`badge${kind ? ` badge-${kind}` : ''}`}>{children}</span>;
}
