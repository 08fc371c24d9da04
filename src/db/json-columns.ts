// How repositories read JSON text columns: rows leave a repository with those columns decoded to typed values, so
// services and presenters never see (or parse) the storage encoding. The text was written by a repository from a
// value of the same type, so decoding trusts it rather than validating it again.

/** A stored row type with its JSON text columns replaced by their decoded types. */
export type Decoded<Row, Columns> = Omit<Row, keyof Columns> & Columns;

/** The value a JSON column holds. */
export const decodeJson = <T>(text: string): T => JSON.parse(text) as T;

/** The value a nullable JSON column holds, or `ifNull` for NULL. */
export const decodeNullableJson = <T, N>(text: string | null, ifNull: N): T | N =>
  text === null ? ifNull : (JSON.parse(text) as T);
