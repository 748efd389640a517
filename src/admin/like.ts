// SQL LIKE patterns for the `LIKE 'pat'` clause of admin commands (spec §8): `%` matches any run of characters,
// `_` exactly one, and a backslash makes the next character literal (a trailing lone backslash is literal, as in
// MySQL). Matching is case-insensitive, like MySQL's default collations. Cost: O(pattern × subject) worst case,
// never exponential (greedy match with one backtrack point, the last `%`).

type Item = { readonly kind: 'char'; readonly ch: string } | { readonly kind: 'one' } | { readonly kind: 'any' };

export interface LikePattern {
  /** The pattern as written. */
  readonly source: string;
  test(subject: string): boolean;
}

function compile(pattern: string): Item[] {
  const items: Item[] = [];
  const chars = [...pattern.toLowerCase()];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i] ?? '';
    if (ch === '\\' && i + 1 < chars.length) {
      items.push({ kind: 'char', ch: chars[++i] ?? '' });
    } else if (ch === '%') {
      if (items.at(-1)?.kind !== 'any') items.push({ kind: 'any' });
    } else if (ch === '_') {
      items.push({ kind: 'one' });
    } else {
      items.push({ kind: 'char', ch });
    }
  }
  return items;
}

function matches(items: readonly Item[], subject: readonly string[]): boolean {
  let p = 0;
  let s = 0;
  let starP = -1;
  let starS = 0;
  while (s < subject.length) {
    const item = items[p];
    if (item !== undefined && item.kind === 'any') {
      starP = p++;
      starS = s;
    } else if (item !== undefined && (item.kind === 'one' || item.ch === subject[s])) {
      p++;
      s++;
    } else if (starP >= 0) {
      p = starP + 1;
      s = ++starS;
    } else {
      return false;
    }
  }
  while (items[p]?.kind === 'any') p++;
  return p === items.length;
}

export function likePattern(pattern: string): LikePattern {
  const items = compile(pattern);
  return {
    source: pattern,
    test: (subject: string): boolean => matches(items, [...subject.toLowerCase()]),
  };
}

/** Keeps the rows whose `column` matches `like`; all rows when there is no LIKE clause. */
export function filterLike<T>(items: Iterable<T>, like: LikePattern | undefined, key: (item: T) => string): T[] {
  const out: T[] = [];
  for (const item of items) if (like === undefined || like.test(key(item))) out.push(item);
  return out;
}
