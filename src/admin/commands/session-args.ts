// The `[id] [LIKE 'pat']` tail shared by SHOW PROXYSESSION ATTRIBUTE | VARIABLES | STAT.
import type { Cursor } from '../cursor.js';
import type { LikePattern } from '../like.js';

export interface SessionArgs {
  /** cs_id; absent means the current session. */
  readonly id: number | undefined;
  readonly like: LikePattern | undefined;
}

export function parseSessionArgs(c: Cursor): SessionArgs {
  const id = c.optionalInt();
  const like = c.optionalLike();
  c.end();
  return { id, like };
}
