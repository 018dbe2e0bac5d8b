import type { SearchForm } from '../../../server/search/rules.ts';
import type { FilterLabel, SearchOutcome, SearchResult, Segment } from '../../../server/search/service.ts';
import type { PageContext } from '../../context.ts';
import { profileHref } from '../../urls.ts';
import { ErrorSummary, Pagination, Time } from '../components.tsx';
import { Layout } from '../layout.tsx';

export interface SearchPageProps {
  ctx: PageContext;
  /** What the person typed, kept as typed (also when it was refused). */
  form: SearchForm;
  outcome: SearchOutcome | null;
  errors: Record<string, string>;
  message?: string | undefined;
}

const KIND_LABELS = { thread: 'Thread', post: 'Post', entry: 'Blog entry', comment: 'Blog comment' } as const;

/**
 * Highlighted text from plain segments: each one printed as a string (escaped by preact), the
 * matched ones inside <mark>. Nothing a member wrote can become markup.
 */
export function Highlighted({ segments }: { segments: Segment[] }) {
  return <>{segments.map((s) => (s.highlighted ? <mark>{s.text}</mark> : s.text))}</>;
}

function ResultItem({ result }: { result: SearchResult }) {
  return (
    <li class="search-result">
      <p class="search-result-kind">
        {KIND_LABELS[result.kind]}
        {result.kind === 'post' && result.number !== undefined && <> #{result.number}</>}
        {result.place.map((p) => (
          <>
            {' · '}
            <a href={p.url}>{p.label}</a>
          </>
        ))}
      </p>
      {/* Under the "N results" h2. A post's link says which post, not only its thread's title. */}
      <h3 class="search-result-title">
        <a href={result.url}>
          {result.kind === 'post' && result.number !== undefined && <span class="sr-only">Post #{result.number} in </span>}
          <Highlighted segments={result.title} />
        </a>
      </h3>
      {result.snippet.length > 0 && (
        <p class="search-snippet">
          <Highlighted segments={result.snippet} />
        </p>
      )}
      <p class="search-result-meta">
        <a href={profileHref(result.author.handle)}>{result.author.displayName}</a> · <Time at={result.createdAt} />
      </p>
    </li>
  );
}

/** The search form's fields as a query string, without the empty ones. */
export function searchHref(form: SearchForm, page = 1): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries({ ...form, page: page > 1 ? String(page) : undefined })) {
    if (typeof value === 'string' && value.trim() !== '') params.set(name, value);
  }
  const query = params.toString();
  return query ? `/search?${query}` : '/search';
}

function FilterNote({ label, kind, field, form }: { label: FilterLabel | null; kind: string; field: 'space' | 'board' | 'thread'; form: SearchForm }) {
  if (!label) return null;
  return (
    <li>
      {/* An invisible place reads exactly like one that does not exist: its number, nothing more. */}
      In {kind} {label.name === null ? <>#{label.id} (not found)</> : <strong>{label.name}</strong>}{' '}
      <a href={searchHref({ ...form, [field]: undefined })}>search everywhere instead</a>
    </li>
  );
}

function TextField(p: { name: keyof SearchForm; label: string; value: string | undefined; error: string | undefined; type?: string; placeholder?: string }) {
  const id = `search-${p.name}`;
  return (
    <div class={p.error ? 'field has-error' : 'field'}>
      <label for={id}>{p.label}</label>
      <input
        id={id}
        name={p.name}
        type={p.type ?? 'text'}
        value={p.value ?? ''}
        placeholder={p.placeholder}
        aria-invalid={p.error ? 'true' : undefined}
        aria-describedby={p.error ? `${id}-error` : undefined}
      />
      {p.error && (
        <p class="field-error" id={`${id}-error`}>
          {p.error}
        </p>
      )}
    </div>
  );
}

export function SearchPage({ ctx, form, outcome, errors, message }: SearchPageProps) {
  const q = form.q ?? '';
  const title = q.trim() ? `Search: ${q.trim().slice(0, 60)}` : 'Search';
  const badFilters = ['space', 'board', 'thread'] as const;
  return (
    // Result pages are never indexed: they are lists of other pages, different for each reader.
    <Layout ctx={ctx} title={title} noindex>
      <div class="page-head">
        <h1>Search</h1>
      </div>
      <ErrorSummary message={message} />
      <form method="get" action="/search" class="search-form" role="search">
        <div class={errors.q ? 'field search-query has-error' : 'field search-query'}>
          <label for="search-q">Search for</label>
          <input
            id="search-q"
            name="q"
            type="search"
            value={q}
            aria-invalid={errors.q ? 'true' : undefined}
            aria-describedby={errors.q ? 'search-q-error search-q-hint' : 'search-q-hint'}
          />
          <p class="hint" id="search-q-hint">
            Use "quotes" for a phrase, <kbd>or</kbd> for either word, and -word to leave a word out.
          </p>
          {errors.q && (
            <p class="field-error" id="search-q-error">
              {errors.q}
            </p>
          )}
        </div>
        {outcome && (outcome.filters.space || outcome.filters.board || outcome.filters.thread) && (
          <ul class="search-scope">
            <FilterNote label={outcome.filters.space} kind="space" field="space" form={form} />
            <FilterNote label={outcome.filters.board} kind="board" field="board" form={form} />
            <FilterNote label={outcome.filters.thread} kind="thread" field="thread" form={form} />
          </ul>
        )}
        {badFilters
          .filter((f) => !errors[f] && form[f]?.trim())
          .map((f) => (
            <input type="hidden" name={f} value={form[f]?.trim()} />
          ))}
        {/* A malformed place filter is shown back, so it can be corrected or dropped. */}
        {badFilters
          .filter((f) => errors[f])
          .map((f) => (
            <TextField name={f} label={`In ${f} number`} value={form[f]} error={errors[f]} />
          ))}
        <details class="search-filters" open={Boolean(form.kind || form.author || form.from || form.to || errors.kind || errors.author || errors.from || errors.to)}>
          <summary>Filters</summary>
          <div class="search-filter-grid">
            <div class={errors.kind ? 'field has-error' : 'field'}>
              <label for="search-kind">Kind</label>
              <select id="search-kind" name="kind" aria-describedby={errors.kind ? 'search-kind-error' : undefined}>
                <option value="">Everything</option>
                {Object.entries({ thread: 'Threads', post: 'Posts', entry: 'Blog entries', comment: 'Blog comments' }).map(([value, label]) => (
                  <option value={value} selected={form.kind === value}>
                    {label}
                  </option>
                ))}
              </select>
              {errors.kind && (
                <p class="field-error" id="search-kind-error">
                  {errors.kind}
                </p>
              )}
            </div>
            <TextField name="author" label="By (handle)" value={form.author} error={errors.author} placeholder="@handle" />
            <TextField name="from" label="From" type="date" value={form.from} error={errors.from} />
            <TextField name="to" label="To" type="date" value={form.to} error={errors.to} />
          </div>
        </details>
        {errors.page && <p class="field-error">{errors.page}</p>}
        <button type="submit" class="button">
          Search
        </button>
      </form>
      {outcome && q.trim() !== '' && (
        <section aria-labelledby="results-heading" class="search-results">
          <h2 id="results-heading" class="search-count">
            {outcome.total === 0
              ? 'No results'
              : outcome.capped
                ? `More than ${outcome.total.toLocaleString('en')} results`
                : `${outcome.total.toLocaleString('en')} ${outcome.total === 1 ? 'result' : 'results'}`}
          </h2>
          {outcome.results.length > 0 ? (
            <ol class="search-result-list">
              {outcome.results.map((r) => (
                <ResultItem result={r} />
              ))}
            </ol>
          ) : outcome.total > 0 ? (
            <p class="empty">
              There are fewer pages of results than that. <a href={searchHref(form, outcome.pages)}>Go to the last page</a>.
            </p>
          ) : (
            <p class="empty">Nothing you can read matches that. Try fewer or different words.</p>
          )}
          <Pagination page={outcome.page} pages={outcome.pages} href={(page) => searchHref(form, page)} />
        </section>
      )}
      {outcome && q.trim() === '' && (form.author || form.kind || form.from || form.to) && (
        <p class="empty">Type a word or two to search for: the filters narrow a search down, but do not make one on their own.</p>
      )}
    </Layout>
  );
}
