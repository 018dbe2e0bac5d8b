/**
 * "Search this thread/board/space": a small GET form that pre-fills the search page's filter.
 * It names only the place the page already shows, so it reveals nothing the page does not.
 */
export function SearchWithin({ field, id, label }: { field: 'space' | 'board' | 'thread'; id: number; label: string }) {
  const inputId = `search-within-${field}`;
  return (
    <form method="get" action="/search" class="search-within" role="search" aria-label={`Search this ${field}`}>
      <input type="hidden" name={field} value={String(id)} />
      <label for={inputId} class="sr-only">
        Search {label}
      </label>
      <input id={inputId} name="q" type="search" placeholder={`Search this ${field}`} maxLength={200} />
      <button type="submit" class="button button-small button-secondary">
        Search
      </button>
    </form>
  );
}
