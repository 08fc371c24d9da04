// Page arithmetic of paged list responses: how many pages a total makes, and the Flask-SQLAlchemy-style paging
// fields PromptLayer's list endpoints answer with.

/** Pages of `perPage` items that `total` items fill; at least 1, so an empty list still has page 1. */
export const pageCount = (total: number, perPage: number): number => Math.max(1, Math.ceil(total / perPage));

/** `page, per_page, total, pages, has_next, has_prev, next_num, prev_num` of one page of a list. */
export function paging(page: number, perPage: number, total: number) {
  const pages = pageCount(total, perPage);
  return {
    page,
    per_page: perPage,
    total,
    pages,
    has_next: page < pages,
    has_prev: page > 1,
    next_num: page < pages ? page + 1 : null,
    prev_num: page > 1 ? page - 1 : null,
  };
}
