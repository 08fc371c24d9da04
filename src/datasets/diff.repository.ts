// SQL of version diffs: rows added, removed and changed between two versions, matched in the database (joins on
// row identity, or on a content key with an occurrence number), so large versions are never loaded whole.
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../db/database.js';
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

export class DiffRepository {
  constructor(
    private readonly db: Db,
    private readonly dialect: DialectCapabilities,
  ) {}

  private uid(alias: string): RawBuilder<unknown> {
    return sql`coalesce(${sql.ref(`${alias}.row_uid`)}, CAST(${sql.ref(`${alias}.dataset_id`)} AS TEXT) || ${':'} || CAST(${sql.ref(`${alias}.row_index`)} AS TEXT))`;
  }

  /** Content mode: a version's rows with their content key (`k`) and the occurrence of that key (`occ`). */
  private contentSide(datasetId: number, spec: DiffSpec, which: 0 | 1): RawBuilder<unknown> {
    // The normalised JSON of each shared column, joined by a control character JSON text never contains raw.
    const parts = spec.common.map(([f, t]) => this.dialect.jsonArrayItem('r.data', which === 0 ? f : t));
    const key = parts.length === 0 ? this.uid('r') : sql.join(parts, sql` || ${SEP} || `);
    return sql`SELECT row_index, uid, data, k, ROW_NUMBER() OVER (PARTITION BY k ORDER BY row_index) AS occ
      FROM (SELECT r.row_index, ${this.uid('r')} AS uid, r.data, ${key} AS k FROM dataset_rows r WHERE r.dataset_id = ${datasetId}) s`;
  }

  /**
   * Identity mode joins on (row_index, identity): copies keep row indexes and edits never move a row, so one identity
   * always sits at one row index, and the join runs on the primary key instead of on a computed expression.
   */
  private identityJoin(mineId: number, otherId: number, mine: string, other: string): RawBuilder<unknown> {
    return sql`${sql.ref(`${other}.dataset_id`)} = ${otherId} AND ${sql.ref(`${other}.row_index`)} = ${sql.ref(`${mine}.row_index`)}
      AND ${this.uid(other)} = ${this.uid(mine)} AND ${sql.ref(`${mine}.dataset_id`)} = ${mineId}`;
  }

  private changedCondition(spec: DiffSpec): RawBuilder<unknown> {
    if (spec.matchBy === 'content' || spec.common.length === 0) return sql`1 = 0`;
    return sql`(${sql.join(
      spec.common.map(([f, t]) => sql`${this.dialect.jsonArrayItem('f.data', f)} <> ${this.dialect.jsonArrayItem('t.data', t)}`),
      sql` OR `,
    )})`;
  }

  /** Rows only in `to` (added) or only in `from` (removed), as `m` with columns row_index, uid, data. */
  private onlyIn(spec: DiffSpec, kind: 'added' | 'removed') {
    const [mine, other] = kind === 'added' ? [spec.toId, spec.fromId] : [spec.fromId, spec.toId];
    if (spec.matchBy === 'row_identity') {
      return sql`FROM (SELECT m.row_index, ${this.uid('m')} AS uid, m.data FROM dataset_rows m
        WHERE m.dataset_id = ${mine} AND NOT EXISTS (SELECT 1 FROM dataset_rows o WHERE ${this.identityJoin(mine, other, 'm', 'o')})) m`;
    }
    const [mineSide, otherSide] = kind === 'added' ? ([1, 0] as const) : ([0, 1] as const);
    // NOT EXISTS (not LEFT JOIN ... IS NULL): with ORDER BY + LIMIT, SQLite keeps its automatic index on the other side only in this form.
    return sql`FROM (${this.contentSide(mine, spec, mineSide)}) m WHERE NOT EXISTS (SELECT 1 FROM (${this.contentSide(other, spec, otherSide)}) o WHERE o.k = m.k AND o.occ = m.occ)`;
  }

  /** Pairs of matched rows as `f` (from) and `t` (to), each with row_index and data. */
  private matched(spec: DiffSpec) {
    if (spec.matchBy === 'row_identity') return sql`FROM dataset_rows t JOIN dataset_rows f ON ${this.identityJoin(spec.toId, spec.fromId, 't', 'f')}`;
    return sql`FROM (${this.contentSide(spec.fromId, spec, 0)}) f JOIN (${this.contentSide(spec.toId, spec, 1)}) t ON t.k = f.k AND t.occ = f.occ`;
  }

  async counts(spec: DiffSpec): Promise<{ added: number; removed: number; matched: number; changed: number }> {
    const [added, removed, matched] = await Promise.all([
      sql<{ n: number }>`SELECT count(*) AS n ${this.onlyIn(spec, 'added')}`.execute(this.db),
      sql<{ n: number }>`SELECT count(*) AS n ${this.onlyIn(spec, 'removed')}`.execute(this.db),
      sql<{ n: number; c: number }>`SELECT count(*) AS n, coalesce(sum(CASE WHEN ${this.changedCondition(spec)} THEN 1 ELSE 0 END), 0) AS c ${this.matched(spec)}`.execute(this.db),
    ]);
    return { added: Number(added.rows[0].n), removed: Number(removed.rows[0].n), matched: Number(matched.rows[0].n), changed: Number(matched.rows[0].c) };
  }

  async onlyInPage(spec: DiffSpec, kind: 'added' | 'removed', offset: number, limit: number): Promise<DiffRow[]> {
    const r = await sql<DiffRow>`SELECT m.row_index, m.uid AS row_uid, m.data ${this.onlyIn(spec, kind)} ORDER BY m.row_index LIMIT ${limit} OFFSET ${offset}`.execute(this.db);
    return r.rows.map((x) => ({ ...x, row_index: Number(x.row_index) }));
  }

  async changedPage(spec: DiffSpec, offset: number, limit: number): Promise<ChangedRow[]> {
    if (spec.matchBy === 'content') return [];
    const r = await sql<ChangedRow>`SELECT f.row_index AS from_index, t.row_index AS to_index, ${this.uid('t')} AS row_uid, f.data AS from_data, t.data AS to_data
      ${this.matched(spec)} WHERE ${this.changedCondition(spec)} ORDER BY t.row_index LIMIT ${limit} OFFSET ${offset}`.execute(this.db);
    return r.rows.map((x) => ({ ...x, from_index: Number(x.from_index), to_index: Number(x.to_index) }));
  }
}
