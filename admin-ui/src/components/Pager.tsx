interface PagerProps {
  page: number;
  size: number;
  total: number;
  onPage: (page: number) => void;
  label: string;
}

/** Previous/next paging with the range shown, e.g. "51–100 of 230". */
export function Pager({ page, size, total, onPage, label }: PagerProps) {
  const pages = Math.max(1, Math.ceil(total / size));
  const first = total === 0 ? 0 : page * size + 1;
  const last = Math.min(total, (page + 1) * size);
  return (
    <nav className="pager" aria-label={label}>
      <button type="button" onClick={() => onPage(page - 1)} disabled={page <= 0}>Previous</button>
      <span aria-live="polite">{first}–{last} of {total} (page {page + 1} of {pages})</span>
      <button type="button" onClick={() => onPage(page + 1)} disabled={page + 1 >= pages}>Next</button>
    </nav>
  );
}
