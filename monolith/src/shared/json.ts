/**
 * A row as the contract's JSON: the listed columns as they are, and created_at as an ISO string (TypeORM reads a
 * timestamptz as a Date; a raw RETURNING row may carry it as a string).
 */
export function toJson<Row extends { created_at: Date | string }, Column extends keyof Row>(
  row: Row,
  columns: readonly Column[],
): Pick<Row, Column> & { created_at: string } {
  const picked = Object.fromEntries(columns.map((column) => [column, row[column]])) as Pick<Row, Column>;
  return { ...picked, created_at: new Date(row.created_at).toISOString() };
}
