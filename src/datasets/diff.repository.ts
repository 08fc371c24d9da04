// SQL of version diffs: rows added, removed and changed between two versions, matched in the database (joins on
// row identity, or on a content key with an occurrence number), so large versions are never loaded whole. Where the
// compared columns sit at the same positions on both sides, each row's content hash (row-hash.ts) settles most
// rows: equal hashes are unchanged (matched), and only the rest have their cells compared.
import { sql, type RawBuilder } from 'kysely';
import type { Db, Executor } from '../db/database.js';
import type { DialectCapabilities } from '../db/dialect.js';

export interface DiffSpec {
  /** The older side (`against`) and the newer side (the dataset asked about). */
  fromId: number;
  toId: number;
  /** Positions of the columns both versions share: [position in from, position in to]. */
  common: Array<[number, number]>;
  matchBy: 'row_identity' | 'content';
}

export interface DiffRow {
  row_index: number;
  row_uid: string;
  data: string;
}

export interface ChangedRow {
  from_index: number;
  to_index: number;
  row_uid: string;
  from_data: string;
  to_data: string;
}

const SEP = '\u001f';

/**
 * True when equal row hashes prove equal compared cells: every compared column sits at the same position in both
 * versions (equal canonical rows then hold equal cells there; with moved columns they need not).
 */
const hashesDecide = (common: Array<[number, number]>) => common.every(([f, t]) => f === t);

/** 1 when rows `f` and `t` differ on `cells` (a condition on their data), 0 when not; equal hashes answer 0 unread. */
function differs(f: string, t: string, cells: RawBuilder<unknown>, useHash: boolean): RawBuilder<number> {
  if (!useHash) return sql<number>`CASE WHEN ${cells} THEN 1 ELSE 0 END`;
  const [fh, th] = [sql.ref(`${f}.content_hash`), sql.ref(`${t}.content_hash`)];
  return sql<number>`CASE WHEN ${fh} = ${th} THEN 0 WHEN ${cells} THEN 1 ELSE 0 END`;
}

/** A row whose hash is missing, as the hash fill reads it. */
export interface UnhashedRow {
  row_index: number;
  data: string;
}

export class DiffRepository {
  /** The key-column diff's queries (see KeyDiffRepository). */
  readonly byKey: KeyDiffRepository;

  constructor(
    private readonly db: Db,
    private readonly dialect: DialectCapabilities,
  ) {
    this.byKey = new KeyDiffRepository(db, dialect);
  }

  private uid(alias: string): RawBuilder<unknown> {
    return sql`coalesce(${sql.ref(`${alias}.row_uid`)}, CAST(${sql.ref(`${alias}.dataset_id`)} AS TEXT) || ${':'} || CAST(${sql.ref(`${alias}.row_index`)} AS TEXT))`;
  }

  // ---- content hashes of rows written before they existed (or rewritten in SQL): filled on demand

  /** True when the version has rows without a content hash (a partial index answers it at once). */
  async hasUnhashedRows(datasetId: number): Promise<boolean> {
    const r =
      await sql`SELECT 1 AS x FROM dataset_rows WHERE dataset_id = ${datasetId} AND content_hash IS NULL LIMIT 1`.execute(
        this.db,
      );
    return r.rows.length > 0;
  }

  /**
   * Up to `limit` rows without a hash after `afterIndex`, locked on PostgreSQL until the transaction ends, so no
   * edit can change a row between reading its data and storing the hash of that data.
   */
  async unhashedRows(ex: Executor, datasetId: number, afterIndex: number, limit: number): Promise<UnhashedRow[]> {
    const lock = this.dialect.supportsSkipLocked ? sql` FOR UPDATE` : sql``;
    const r = await sql<UnhashedRow>`SELECT row_index, data FROM dataset_rows
      WHERE dataset_id = ${datasetId} AND content_hash IS NULL AND row_index > ${afterIndex}
      ORDER BY row_index LIMIT ${limit}${lock}`.execute(ex);
    return r.rows.map((x) => ({ ...x, row_index: Number(x.row_index) }));
  }

  /** Stores hashes of rows that had none (the published-rows guard allows exactly this write). */
  async setHashes(ex: Executor, datasetId: number, hashes: Array<{ rowIndex: number; hash: string }>): Promise<void> {
    const per = Math.floor(this.dialect.maxParams / 2) - 1;
    for (let s = 0; s < hashes.length; s += per) {
      // A VALUES list names its columns column1, column2 on both dialects.
      const values = sql.join(
        hashes.slice(s, s + per).map((h) => sql`(CAST(${h.rowIndex} AS INTEGER), CAST(${h.hash} AS TEXT))`),
      );
      await sql`UPDATE dataset_rows SET content_hash = v.column2 FROM (VALUES ${values}) AS v
        WHERE dataset_rows.dataset_id = ${datasetId} AND dataset_rows.row_index = v.column1 AND dataset_rows.content_hash IS NULL`.execute(
        ex,
      );
    }
  }

  // ---- identity and content diffs

  /**
   * Content mode: a version's rows with their content key (`k`) and the occurrence of that key (`occ`), leaving out
   * rows already paired by their hash (`p`, see contentSides).
   */
  private contentSide(datasetId: number, spec: DiffSpec, which: 0 | 1, paired: string | null): RawBuilder<unknown> {
    // The normalised JSON of each shared column, joined by a control character JSON text never contains raw.
    const parts = spec.common.map(([f, t]) => this.dialect.jsonArrayItem('r.data', which === 0 ? f : t));
    const key = parts.length === 0 ? this.uid('r') : sql.join(parts, sql` || ${SEP} || `);
    const unpaired = paired
      ? sql` AND NOT EXISTS (SELECT 1 FROM p WHERE ${sql.ref(`p.${paired}`)} = r.row_index)`
      : sql``;
    return sql`SELECT row_index, uid, data, k, ROW_NUMBER() OVER (PARTITION BY k ORDER BY row_index) AS occ
      FROM (SELECT r.row_index, ${this.uid('r')} AS uid, r.data, ${key} AS k FROM dataset_rows r WHERE r.dataset_id = ${datasetId}${unpaired}) s`;
  }

  /**
   * Content mode's CTEs: `cf` (from) and `ct` (to) are the rows still to match by content key. Where hashes decide,
   * rows are first paired by (hash, occurrence of the hash) in `p` (equal hashes: equal rows, no JSON read), and only
   * the others (a few, plus any without a hash) get a content key. Pairing equal rows first leaves the same counts
   * (within one content key, pairs of identical rows can always be part of a largest matching), and the same rows
   * unmatched (the last ones of each content key, by row index) unless rows of one content key differ in their text
   * (which PostgreSQL's jsonb normalisation can hide: then other rows of that key may be the unmatched ones).
   */
  private contentSides(spec: DiffSpec): { ctes: RawBuilder<unknown>; hashPairs: RawBuilder<unknown> } {
    if (!hashesDecide(spec.common) || spec.common.length === 0) {
      return {
        ctes: sql`WITH cf AS MATERIALIZED (${this.contentSide(spec.fromId, spec, 0, null)}), ct AS MATERIALIZED (${this.contentSide(spec.toId, spec, 1, null)})`,
        hashPairs: sql`0`,
      };
    }
    const hashed = (id: number) =>
      sql`SELECT row_index, content_hash AS h, ROW_NUMBER() OVER (PARTITION BY content_hash ORDER BY row_index) AS occ
        FROM dataset_rows WHERE dataset_id = ${id} AND content_hash IS NOT NULL`;
    return {
      ctes: sql`WITH hf AS MATERIALIZED (${hashed(spec.fromId)}), ht AS MATERIALIZED (${hashed(spec.toId)}),
        p AS MATERIALIZED (SELECT hf.row_index AS fi, ht.row_index AS ti FROM hf JOIN ht ON ht.h = hf.h AND ht.occ = hf.occ),
        cf AS MATERIALIZED (${this.contentSide(spec.fromId, spec, 0, 'fi')}), ct AS MATERIALIZED (${this.contentSide(spec.toId, spec, 1, 'ti')})`,
      hashPairs: sql`(SELECT count(*) FROM p)`,
    };
  }

  /**
   * Identity mode joins on (row_index, identity): copies keep row indexes and edits never move a row, so one identity
   * always sits at one row index, and the join runs on the primary key instead of on a computed expression.
   */
  private identityJoin(mineId: number, otherId: number, mine: string, other: string): RawBuilder<unknown> {
    return sql`${sql.ref(`${other}.dataset_id`)} = ${otherId} AND ${sql.ref(`${other}.row_index`)} = ${sql.ref(`${mine}.row_index`)}
      AND ${this.uid(other)} = ${this.uid(mine)} AND ${sql.ref(`${mine}.dataset_id`)} = ${mineId}`;
  }

  /** 1 when matched rows `f` and `t` (identity mode) differ in a shared column. */
  private changedFlag(spec: DiffSpec): RawBuilder<number> {
    if (spec.common.length === 0) return sql<number>`0`;
    const cells = sql`(${sql.join(
      spec.common.map(
        ([f, t]) => sql`${this.dialect.jsonArrayItem('f.data', f)} <> ${this.dialect.jsonArrayItem('t.data', t)}`,
      ),
      sql` OR `,
    )})`;
    return differs('f', 't', cells, hashesDecide(spec.common));
  }

  /** Identity mode: rows only in `to` (added) or only in `from` (removed), as `m` with columns row_index, uid, data. */
  private identityOnlyIn(spec: DiffSpec, kind: 'added' | 'removed') {
    const [mine, other] = kind === 'added' ? [spec.toId, spec.fromId] : [spec.fromId, spec.toId];
    return sql`FROM (SELECT m.row_index, ${this.uid('m')} AS uid, m.data FROM dataset_rows m
        WHERE m.dataset_id = ${mine} AND NOT EXISTS (SELECT 1 FROM dataset_rows o WHERE ${this.identityJoin(mine, other, 'm', 'o')})) m`;
  }

  /** Content mode (after contentSides): rows only in `to` (added) or only in `from` (removed), as `m`. */
  private contentOnlyIn(kind: 'added' | 'removed') {
    const [mine, other] = kind === 'added' ? [sql`ct`, sql`cf`] : [sql`cf`, sql`ct`];
    // NOT EXISTS (not LEFT JOIN ... IS NULL): with ORDER BY + LIMIT, SQLite keeps its automatic index on the other side only in this form.
    return sql`FROM ${mine} m WHERE NOT EXISTS (SELECT 1 FROM ${other} o WHERE o.k = m.k AND o.occ = m.occ)`;
  }

  async counts(spec: DiffSpec): Promise<{ added: number; removed: number; matched: number; changed: number }> {
    if (spec.matchBy === 'content') {
      const { ctes, hashPairs } = this.contentSides(spec);
      const r = await sql<{ a: number; r: number; m: number }>`${ctes} SELECT
        (SELECT count(*) ${this.contentOnlyIn('added')}) AS a,
        (SELECT count(*) ${this.contentOnlyIn('removed')}) AS r,
        ${hashPairs} + (SELECT count(*) FROM ct t JOIN cf f ON f.k = t.k AND f.occ = t.occ) AS m`.execute(this.db);
      const row = r.rows[0];
      return { added: Number(row.a), removed: Number(row.r), matched: Number(row.m), changed: 0 };
    }
    // One pass over `to` with its partner in `from` (a primary-key lookup per row): added and matched (changed)
    // rows at once; identities pair at most one row of each side, so the removed rows are the rest of `from`.
    const r = await sql<{ a: number | null; n: number | null; c: number | null; fn: number }>`SELECT
        coalesce(sum(CASE WHEN f.row_index IS NULL THEN 1 ELSE 0 END), 0) AS a,
        count(f.row_index) AS n,
        coalesce(sum(CASE WHEN f.row_index IS NULL THEN 0 ELSE ${this.changedFlag(spec)} END), 0) AS c,
        (SELECT count(*) FROM dataset_rows x WHERE x.dataset_id = ${spec.fromId}) AS fn
      FROM dataset_rows t LEFT JOIN dataset_rows f ON f.dataset_id = ${spec.fromId} AND f.row_index = t.row_index AND ${this.uid('f')} = ${this.uid('t')}
      WHERE t.dataset_id = ${spec.toId}`.execute(this.db);
    const row = r.rows[0];
    const matched = Number(row.n ?? 0);
    return {
      added: Number(row.a ?? 0),
      removed: Number(row.fn) - matched,
      matched,
      changed: Number(row.c ?? 0),
    };
  }

  async onlyInPage(spec: DiffSpec, kind: 'added' | 'removed', offset: number, limit: number): Promise<DiffRow[]> {
    const r =
      spec.matchBy === 'content'
        ? await sql<DiffRow>`${this.contentSides(spec).ctes} SELECT m.row_index, m.uid AS row_uid, m.data ${this.contentOnlyIn(kind)} ORDER BY m.row_index LIMIT ${limit} OFFSET ${offset}`.execute(
            this.db,
          )
        : await sql<DiffRow>`SELECT m.row_index, m.uid AS row_uid, m.data ${this.identityOnlyIn(spec, kind)} ORDER BY m.row_index LIMIT ${limit} OFFSET ${offset}`.execute(
            this.db,
          );
    return r.rows.map((x) => ({ ...x, row_index: Number(x.row_index) }));
  }

  async changedPage(spec: DiffSpec, offset: number, limit: number): Promise<ChangedRow[]> {
    if (spec.matchBy === 'content') return [];
    const r =
      await sql<ChangedRow>`SELECT f.row_index AS from_index, t.row_index AS to_index, ${this.uid('t')} AS row_uid, f.data AS from_data, t.data AS to_data
      FROM dataset_rows t JOIN dataset_rows f ON ${this.identityJoin(spec.toId, spec.fromId, 't', 'f')} WHERE ${this.changedFlag(spec)} = 1 ORDER BY t.row_index LIMIT ${limit} OFFSET ${offset}`.execute(
        this.db,
      );
    return r.rows.map((x) => ({ ...x, from_index: Number(x.from_index), to_index: Number(x.to_index) }));
  }
}

/** A key-column diff: rows matched by the JSON value of one column (its position on each side). */
export interface KeyDiffSpec {
  fromId: number;
  toId: number;
  /** Position of the key column in from and in to. */
  key: [number, number];
  /** Positions of the other columns both versions share: [position in from, position in to]. */
  common: Array<[number, number]>;
}

export interface KeyCounts {
  added: number;
  removed: number;
  matched: number;
  changed: number;
}

/** Duplicate keys of one side: how many values repeat, on how many rows, and a sample of them with their counts. */
export interface DuplicateKeys {
  keys: number;
  rows: number;
  sample: Array<{ key: string; rows: number }>;
}

/** A paged key diff (KeyDiffRepository.diffPage): duplicates of [from, to], counts, and the pages asked for. */
export interface KeyDiffPage {
  dups: [DuplicateKeys, DuplicateKeys];
  counts: KeyCounts;
  added: Array<{ row_index: number; data: string; k: string }>;
  removed: Array<{ row_index: number; data: string; k: string }>;
  changed: Array<{ from_index: number; to_index: number; k: string; from_data: string; to_data: string }>;
}

/** A row index window of one side: rows with lo <= row_index < hi. */
export interface IndexWindow {
  lo: number;
  hi: number;
}

/** JSON text of a JSON null (or a missing cell) as the dialects' jsonArrayItem renders it. */
const JSON_NULL = 'null';

export class KeyDiffRepository {
  constructor(
    private readonly db: Db,
    private readonly dialect: DialectCapabilities,
  ) {}

  /**
   * One side's rows with their key (`k`, normalised JSON text), optionally limited to a row index window, with the
   * row's content hash (`hash`: matched pairs compare it first) or without.
   */
  private side(
    datasetId: number,
    keyPos: number,
    win: IndexWindow | undefined,
    carry: 'hash' | 'none',
  ): RawBuilder<unknown> {
    const range = win ? sql` AND r.row_index >= ${win.lo} AND r.row_index < ${win.hi}` : sql``;
    const extra = carry === 'hash' ? sql`, r.content_hash` : sql``;
    // A null (or missing) key is SQL NULL here, so it equals nothing: such rows never match.
    return sql`SELECT r.row_index${extra}, NULLIF(${this.dialect.jsonArrayItem('r.data', keyPos)}, ${JSON_NULL}) AS k FROM dataset_rows r WHERE r.dataset_id = ${datasetId}${range}`;
  }

  /** Row texts `f` and `t` (columns holding dataset_rows.data) differ in a compared column. */
  private cellsDiffer(spec: KeyDiffSpec, f: string, t: string): RawBuilder<unknown> {
    if (spec.common.length === 0) return sql`1 = 0`;
    return sql`(${sql.join(
      spec.common.map(([fp, tp]) => sql`${this.dialect.jsonArrayItem(f, fp)} <> ${this.dialect.jsonArrayItem(t, tp)}`),
      sql` OR `,
    )})`;
  }

  /**
   * 1 when the matched pair `g` (rows g.fi of from and g.ti of to, hashes g.fh / g.th) differs in a compared column,
   * else 0. Equal hashes answer 0 at once where they decide; otherwise both rows are read by primary key.
   */
  private changedFlag(spec: KeyDiffSpec): RawBuilder<number> {
    const cells = sql`EXISTS (SELECT 1 FROM dataset_rows fr JOIN dataset_rows tr ON tr.dataset_id = ${spec.toId} AND tr.row_index = g.ti
      WHERE fr.dataset_id = ${spec.fromId} AND fr.row_index = g.fi AND ${this.cellsDiffer(spec, 'fr.data', 'tr.data')})`;
    if (!hashesDecide(spec.common)) return sql<number>`CASE WHEN ${cells} THEN 1 ELSE 0 END`;
    return sql<number>`CASE WHEN g.fh = g.th THEN 0 WHEN ${cells} THEN 1 ELSE 0 END`;
  }

  /** Rows in a version (or its window): the denominator of progress. */
  async rowCount(datasetId: number): Promise<{ n: number; maxIndex: number }> {
    const r = await sql<{
      n: number;
      m: number | null;
    }>`SELECT count(*) AS n, max(row_index) AS m FROM dataset_rows WHERE dataset_id = ${datasetId}`.execute(this.db);
    return { n: Number(r.rows[0].n), maxIndex: r.rows[0].m === null ? -1 : Number(r.rows[0].m) };
  }

  /** Non-null key values held by more than one row of a version: how many, and a few of them with their row counts. */
  async duplicateKeys(
    datasetId: number,
    keyPos: number,
    sampleSize: number,
  ): Promise<{ keys: number; rows: number; sample: Array<{ key: string; rows: number }> }> {
    const dup = sql`SELECT s.k, count(*) AS n FROM (${this.side(datasetId, keyPos, undefined, 'none')}) s WHERE s.k IS NOT NULL GROUP BY s.k HAVING count(*) > 1`;
    const total = await sql<{
      keys: number;
      rows: number | null;
    }>`SELECT count(*) AS keys, sum(d.n) AS rows FROM (${dup}) d`.execute(this.db);
    const keys = Number(total.rows[0].keys);
    if (keys === 0) return { keys: 0, rows: 0, sample: [] };
    const sample = await sql<{
      k: string;
      n: number;
    }>`SELECT d.k, d.n FROM (${dup}) d ORDER BY d.n DESC, d.k LIMIT ${sampleSize}`.execute(this.db);
    return {
      keys,
      rows: Number(total.rows[0].rows),
      sample: sample.rows.map((x) => ({ key: x.k, rows: Number(x.n) })),
    };
  }

  /**
   * Counts of the whole diff, or of one window: `toWin` limits the rows of `to` (added, matched, changed), `fromWin`
   * those of `from` (removed); a side without a window is skipped, so windows of both sides add up to the whole.
   */
  async counts(spec: KeyDiffSpec, wins?: { toWin?: IndexWindow; fromWin?: IndexWindow }): Promise<KeyCounts> {
    const whole = wins === undefined;
    // One pass: both sides' rows in one list grouped by key (keys are unique per side, so a group holds at most one
    // row of each), instead of joins and anti joins that each read both sides again (SQLite plans no index for a
    // full join). A window is a condition on the side's row index; rows with a null key are added or removed.
    const inWin = (ix: RawBuilder<unknown>, win: IndexWindow | undefined) => {
      if (!whole && win === undefined) return sql`1 = 0`;
      if (win === undefined) return sql`1 = 1`;
      return sql`${ix} >= ${win.lo} AND ${ix} < ${win.hi}`;
    };
    const toIn = inWin(sql`g.ti`, wins?.toWin);
    const fromIn = inWin(sql`g.fi`, wins?.fromWin);
    const pick = (side: 0 | 1, col: string) =>
      sql`max(CASE WHEN u.side = ${sql.lit(side)} THEN ${sql.ref(`u.${col}`)} END)`;
    const both = sql`g.fi IS NOT NULL AND g.ti IS NOT NULL AND ${toIn}`;
    const nullKeys = (side: 0 | 1, win: IndexWindow | undefined) =>
      sql`(SELECT count(*) FROM u WHERE u.k IS NULL AND u.side = ${sql.lit(side)} AND ${inWin(sql`u.row_index`, win)})`;
    const r = await sql<{ a: number | null; r: number | null; n: number | null; c: number | null }>`
      WITH u AS MATERIALIZED (SELECT 0 AS side, s.* FROM (${this.side(spec.fromId, spec.key[0], undefined, 'hash')}) s
        UNION ALL SELECT 1 AS side, s.* FROM (${this.side(spec.toId, spec.key[1], undefined, 'hash')}) s),
      g AS MATERIALIZED (SELECT ${pick(0, 'row_index')} AS fi, ${pick(1, 'row_index')} AS ti,
          ${pick(0, 'content_hash')} AS fh, ${pick(1, 'content_hash')} AS th
        FROM u WHERE u.k IS NOT NULL GROUP BY u.k)
      SELECT (SELECT coalesce(sum(CASE WHEN g.fi IS NULL AND ${toIn} THEN 1 ELSE 0 END), 0) FROM g) + ${nullKeys(1, wins?.toWin)} AS a,
        (SELECT coalesce(sum(CASE WHEN g.ti IS NULL AND ${fromIn} THEN 1 ELSE 0 END), 0) FROM g) + ${nullKeys(0, wins?.fromWin)} AS r,
        (SELECT coalesce(sum(CASE WHEN ${both} THEN 1 ELSE 0 END), 0) FROM g) AS n,
        (SELECT coalesce(sum(CASE WHEN ${both} THEN ${this.changedFlag(spec)} ELSE 0 END), 0) FROM g) AS c`.execute(
      this.db,
    );
    const m = r.rows[0];
    return { added: Number(m.a ?? 0), removed: Number(m.r ?? 0), matched: Number(m.n ?? 0), changed: Number(m.c ?? 0) };
  }

  /**
   * The whole paged key diff in one statement: the duplicate-key check of both sides, the counts, and the pages of
   * the kinds asked for (`kinds`). Duplicates make the counts meaningless: the caller checks `dups` first.
   *
   * Rows are first paired by row index and equal data (`a`: one pass over `from`, a primary-key lookup of `to` per
   * row) when the key and every compared column sit at the same positions on both sides: such a pair holds the same
   * key on both sides and is unchanged, so `to`'s key is extracted only from its other rows (`ut`: the rows at an
   * index whose data differ, and rows at an index `from` lacks). Every key of both sides still takes part in the
   * duplicate check (`d`: each `from` row once, counted for `to` too when paired, plus `ut`), which keeps the rows
   * with a null key and the repeated keys only. Once keys are unique, a paired key is held by no other row of either
   * side, so matching by key is left to the unpaired rows alone (`g`, grouped by key: rows per side, and each side's
   * row index and hash). Whole rows are read by primary key only for the page, and, for changed rows, for the pairs
   * whose hashes differ (all matched pairs of `g` where hashes do not decide).
   */
  async diffPage(
    spec: KeyDiffSpec,
    page: { offset: number; limit: number; kinds: ReadonlyArray<'added' | 'removed' | 'changed'> },
    sampleSize: number,
  ): Promise<KeyDiffPage> {
    const [F, T] = [spec.fromId, spec.toId];
    const big = (e: RawBuilder<unknown>) => sql`CAST(${e} AS BIGINT)`;
    const none = sql`CAST(NULL AS BIGINT)`;
    const noText = sql`CAST(NULL AS TEXT)`;
    const dataOf = (id: number, ix: RawBuilder<unknown>) =>
      sql`(SELECT r.data FROM dataset_rows r WHERE r.dataset_id = ${id} AND r.row_index = ${ix})`;
    // A null (or missing) key is SQL NULL, so it equals nothing: such rows never match.
    const keyOf = (col: string, pos: number) => sql`NULLIF(${this.dialect.jsonArrayItem(col, pos)}, ${JSON_NULL})`;
    const pairs = spec.key[0] === spec.key[1] && hashesDecide(spec.common);
    const same = pairs ? sql`t.data = f.data` : sql`1 = 0`;
    const keyed = sql`g.k IS NOT NULL`;
    // Matched pairs that may differ, read and compared (and, for the page, ordered) without materialising their data.
    const candidates = hashesDecide(spec.common) ? sql` AND (g.fh IS NULL OR g.th IS NULL OR g.fh <> g.th)` : sql``;
    const changed = sql`(SELECT q.fi, q.ti, q.k, q.fd, q.td FROM (SELECT g.fi, g.ti, g.k, ${dataOf(F, sql`g.fi`)} AS fd, ${dataOf(T, sql`g.ti`)} AS td
        FROM g WHERE ${keyed} AND g.nf = 1 AND g.nt = 1${candidates}) q WHERE ${this.cellsDiffer(spec, 'q.fd', 'q.td')})`;
    // The null-key group of d: its rows never match, so they are all added (to) or removed (from).
    const nulls = (n: 'nf' | 'nt') => big(sql`coalesce((SELECT ${sql.ref(`d.${n}`)} FROM d WHERE d.k IS NULL), 0)`);
    // Rows of one side without a partner: a key the other side lacks, or a null key (looked up in a and ut only for
    // a page, and only if there are any).
    const unmatched = (side: 0 | 1) => {
      const [mine, other, n] = side === 1 ? [sql`g.ti`, sql`g.nf`, sql`d.nt`] : [sql`g.fi`, sql`g.nt`, sql`d.nf`];
      const anyNull = sql`EXISTS (SELECT 1 FROM d WHERE d.k IS NULL AND ${n} > 0)`;
      const nullRows =
        side === 1
          ? sql`SELECT a.fi AS ix, a.k FROM a WHERE a.k IS NULL AND a.p = 1 AND ${anyNull}
              UNION ALL SELECT ut.ti AS ix, ut.k FROM ut WHERE ut.k IS NULL AND ${anyNull}`
          : sql`SELECT a.fi AS ix, a.k FROM a WHERE a.k IS NULL AND ${anyNull}`;
      return sql`(SELECT ${mine} AS ix, g.k FROM g WHERE ${keyed} AND ${other} = 0 UNION ALL ${nullRows})`;
    };
    const dupOf = (n: 'nf' | 'nt') => sql`d.k IS NOT NULL AND ${sql.ref(`d.${n}`)} > 1`;
    const dupSum = (n: 'nf' | 'nt', v: RawBuilder<unknown>) =>
      big(sql`(SELECT coalesce(sum(${v}), 0) FROM d WHERE ${dupOf(n)})`);
    // When keys are unique, every row of `from` is matched or removed.
    const removed = sql`((SELECT count(*) FROM g WHERE ${keyed} AND g.nt = 0) + ${nulls('nf')})`;
    const arms: RawBuilder<unknown>[] = [
      sql`SELECT 'summary' AS kind, 0 AS side,
        ${dupSum('nf', sql`1`)} AS a, ${dupSum('nf', sql`d.nf`)} AS b, ${dupSum('nt', sql`1`)} AS c, ${dupSum('nt', sql`d.nt`)} AS d,
        ${big(sql`(SELECT count(*) FROM g WHERE ${keyed} AND g.nf = 0) + ${nulls('nt')}`)} AS e, ${big(removed)} AS f,
        ${big(sql`(SELECT count(*) FROM a) - ${removed}`)} AS m, ${big(sql`(SELECT count(*) FROM c)`)} AS n,
        ${noText} AS k, ${noText} AS fd, ${noText} AS td`,
    ];
    const tail = (a: RawBuilder<unknown>, b: RawBuilder<unknown>) =>
      sql`${a} AS a, ${b} AS b, ${none} AS c, ${none} AS d, ${none} AS e, ${none} AS f, ${none} AS m, ${none} AS n`;
    for (const side of [0, 1] as const) {
      const n = side === 0 ? 'nf' : 'nt';
      // The sample's order (most rows first, then by key in the database's order) travels as a number: `b`.
      arms.push(sql`SELECT 'dupkey' AS kind, ${sql.lit(side)} AS side, ${tail(big(sql`s.n`), big(sql`ROW_NUMBER() OVER (ORDER BY s.n DESC, s.k)`))}, s.k, ${noText} AS fd, ${noText} AS td
        FROM (SELECT d.k, ${sql.ref(`d.${n}`)} AS n FROM d WHERE ${dupOf(n)} ORDER BY ${sql.ref(`d.${n}`)} DESC, d.k LIMIT ${sampleSize}) s`);
    }
    const { offset, limit } = page;
    for (const kind of page.kinds) {
      if (kind === 'changed') {
        arms.push(sql`SELECT * FROM (SELECT 'changed' AS kind, 0 AS side, ${tail(big(sql`c.fi`), big(sql`c.ti`))}, c.k, c.fd, c.td
            FROM c ORDER BY c.ti LIMIT ${limit} OFFSET ${offset}) pc`);
      } else {
        const side = kind === 'added' ? 1 : 0;
        arms.push(sql`SELECT * FROM (SELECT ${kind} AS kind, ${sql.lit(side)} AS side, ${tail(big(sql`m.ix`), none)}, coalesce(m.k, ${JSON_NULL}) AS k,
            ${noText} AS fd, ${dataOf(side === 1 ? T : F, sql`m.ix`)} AS td FROM ${unmatched(side)} m ORDER BY m.ix LIMIT ${limit} OFFSET ${offset}) p${sql.lit(side)}`);
      }
    }
    // Rows of `to` at a row index `from` lacks, looked for only when there may be any: unless `from`'s row indexes
    // have no gap (as many rows as max - min + 1) and `to`'s lie between them.
    const end = (id: number, fn: 'min' | 'max') =>
      sql`(SELECT ${sql.raw(fn)}(x.row_index) FROM dataset_rows x WHERE x.dataset_id = ${id})`;
    const covered = sql`(SELECT count(*) FROM a) = ${end(F, 'max')} - ${end(F, 'min')} + 1 AND ${end(T, 'min')} >= ${end(F, 'min')} AND ${end(T, 'max')} <= ${end(F, 'max')}`;
    // (The condition is a one-row subquery joined first, so SQLite skips the scan, not just its rows, without it.)
    const toOnly = sql`SELECT ${keyOf('t.data', spec.key[1])} AS k, t.row_index AS ti, t.content_hash AS th
      FROM (SELECT 1 AS x WHERE NOT coalesce(${covered}, 0 = 1) LIMIT 1) gap CROSS JOIN dataset_rows t
      WHERE t.dataset_id = ${T} AND NOT EXISTS (SELECT 1 FROM dataset_rows f WHERE f.dataset_id = ${F} AND f.row_index = t.row_index)`;
    type Num = number | string | null;
    const query = sql<{
      kind: string;
      side: number;
      a: Num;
      b: Num;
      c: Num;
      d: Num;
      e: Num;
      f: Num;
      m: Num;
      n: Num;
      k: string | null;
      fd: string | null;
      td: string | null;
    }>`WITH a AS MATERIALIZED (SELECT f.row_index AS fi, ${keyOf('f.data', spec.key[0])} AS k, CASE WHEN ${same} THEN 1 ELSE 0 END AS p,
          CASE WHEN ${same} THEN NULL ELSE f.content_hash END AS fh, CASE WHEN ${same} THEN NULL ELSE t.row_index END AS ti,
          CASE WHEN ${same} THEN NULL ELSE t.content_hash END AS th,
          CASE WHEN t.row_index IS NOT NULL AND NOT (${same}) THEN ${keyOf('t.data', spec.key[1])} END AS tk
        FROM dataset_rows f LEFT JOIN dataset_rows t ON t.dataset_id = ${T} AND t.row_index = f.row_index WHERE f.dataset_id = ${F}),
      ua AS MATERIALIZED (SELECT a.fi, a.k, a.fh, a.ti, a.th, a.tk FROM a WHERE a.p = 0),
      ut AS MATERIALIZED (SELECT ua.tk AS k, ua.ti, ua.th FROM ua WHERE ua.ti IS NOT NULL UNION ALL ${toOnly}),
      d AS MATERIALIZED (SELECT u.k, sum(u.nf) AS nf, sum(u.nt) AS nt
        FROM (SELECT a.k, 1 AS nf, a.p AS nt FROM a UNION ALL SELECT ut.k, 0 AS nf, 1 AS nt FROM ut) u
        GROUP BY u.k HAVING u.k IS NULL OR sum(u.nf) > 1 OR sum(u.nt) > 1),
      g AS MATERIALIZED (SELECT u.k, sum(u.nf) AS nf, sum(u.nt) AS nt, max(u.fi) AS fi, max(u.ti) AS ti, max(u.fh) AS fh, max(u.th) AS th
        FROM (SELECT ua.k, 1 AS nf, 0 AS nt, ua.fi, ${none} AS ti, ua.fh, ${noText} AS th FROM ua WHERE ua.k IS NOT NULL
          UNION ALL SELECT ut.k, 0 AS nf, 1 AS nt, ${none} AS fi, ut.ti, ${noText} AS fh, ut.th FROM ut WHERE ut.k IS NOT NULL) u GROUP BY u.k),
      c AS MATERIALIZED ${changed}
      ${sql.join(arms, sql` UNION ALL `)}`;
    const r = await query.execute(this.db);
    const noDups = (): DuplicateKeys => ({ keys: 0, rows: 0, sample: [] });
    const out: KeyDiffPage = {
      dups: [noDups(), noDups()],
      counts: { added: 0, removed: 0, matched: 0, changed: 0 },
      added: [],
      removed: [],
      changed: [],
    };
    const num = (v: Num) => Number(v ?? 0);
    for (const x of r.rows) {
      switch (x.kind) {
        case 'summary':
          out.dups = [
            { keys: num(x.a), rows: num(x.b), sample: out.dups[0].sample },
            { keys: num(x.c), rows: num(x.d), sample: out.dups[1].sample },
          ];
          out.counts = { added: num(x.e), removed: num(x.f), matched: num(x.m), changed: num(x.n) };
          break;
        case 'dupkey':
          out.dups[Number(x.side)].sample[num(x.b) - 1] = { key: x.k ?? JSON_NULL, rows: num(x.a) };
          break;
        case 'changed':
          out.changed.push({
            from_index: num(x.a),
            to_index: num(x.b),
            k: x.k ?? JSON_NULL,
            from_data: x.fd ?? '[]',
            to_data: x.td ?? '[]',
          });
          break;
        default:
          (x.kind === 'added' ? out.added : out.removed).push({
            row_index: num(x.a),
            k: x.k ?? JSON_NULL,
            data: x.td ?? '[]',
          });
      }
    }
    // UNION ALL keeps no order across arms; each page is ordered by its row index.
    out.added.sort((p, q) => p.row_index - q.row_index);
    out.removed.sort((p, q) => p.row_index - q.row_index);
    out.changed.sort((p, q) => p.to_index - q.to_index);
    return out;
  }
}
