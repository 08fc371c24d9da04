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

  /** A version's rows with their match key (`k`) and occurrence of that key (`occ`, always 1 for identities). */
  private side(datasetId: number, spec: DiffSpec, which: 0 | 1): RawBuilder<unknown> {
    const uid = sql`coalesce(r.row_uid, CAST(r.dataset_id AS TEXT) || ${':'} || CAST(r.row_index AS TEXT))`;
    if (spec.matchBy === 'row_identity') {
      return sql`SELECT r.row_index, ${uid} AS uid, r.data, ${uid} AS k, 1 AS occ FROM dataset_rows r WHERE r.dataset_id = ${datasetId}`;
    }
    // Content key: the normalised JSON of each shared column, joined by a control character JSON text never contains raw.
    const parts = spec.common.map(([f, t]) => this.dialect.jsonArrayItem('r.data', which === 0 ? f : t));
    const key = parts.length === 0 ? uid : sql.join(parts, sql` || ${SEP} || `);
    return sql`SELECT row_index, uid, data, k, ROW_NUMBER() OVER (PARTITION BY k ORDER BY row_index) AS occ
      FROM (SELECT r.row_index, ${uid} AS uid, r.data, ${key} AS k FROM dataset_rows r WHERE r.dataset_id = ${datasetId}) s`;
  }

  private changedCondition(spec: DiffSpec): RawBuilder<unknown> {
    if (spec.matchBy === 'content' || spec.common.length === 0) return sql`1 = 0`;
    return sql`(${sql.join(
      spec.common.map(([f, t]) => sql`${this.dialect.jsonArrayItem('f.data', f)} <> ${this.dialect.jsonArrayItem('t.data', t)}`),
      sql` OR `,
    )})`;
  }

  /** Rows only in `to` (added) or only in `from` (removed), ordered by row index. */
  private onlyIn(spec: DiffSpec, kind: 'added' | 'removed') {
    const [mine, other] = kind === 'added' ? [spec.toId, spec.fromId] : [spec.fromId, spec.toId];
    const [mineSide, otherSide] = kind === 'added' ? ([1, 0] as const) : ([0, 1] as const);
    return sql`FROM (${this.side(mine, spec, mineSide)}) m LEFT JOIN (${this.side(other, spec, otherSide)}) o ON o.k = m.k AND o.occ = m.occ WHERE o.k IS NULL`;
  }

  private matched(spec: DiffSpec) {
    return sql`FROM (${this.side(spec.fromId, spec, 0)}) f JOIN (${this.side(spec.toId, spec, 1)}) t ON t.k = f.k AND t.occ = f.occ`;
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
    const r = await sql<ChangedRow>`SELECT f.row_index AS from_index, t.row_index AS to_index, t.uid AS row_uid, f.data AS from_data, t.data AS to_data
      ${this.matched(spec)} WHERE ${this.changedCondition(spec)} ORDER BY t.row_index LIMIT ${limit} OFFSET ${offset}`.execute(this.db);
    return r.rows.map((x) => ({ ...x, from_index: Number(x.from_index), to_index: Number(x.to_index) }));
  }
}
