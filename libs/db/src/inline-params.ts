import pg from 'pg';

/**
 * `sql` with its `$n` placeholders replaced by the values as SQL literals, for the places a
 * statement cannot travel with its parameters: a simple-protocol query that carries more than one
 * statement (a transaction's BEGIN with its first statement, its last statement with its COMMIT:
 * database.ts). Every value is written as a quoted literal ('42', 'true', 'text'), which has no
 * type of its own: PostgreSQL types it from where it stands, as it types a parameter sent apart
 * from the statement, so `text_column = $1` with a number means the same either way. Only values
 * whose literal is unambiguous are taken: strings (escaped by pg's escapeLiteral) without a NUL,
 * which a query's text cannot carry, finite numbers, booleans and null; anything else (arrays,
 * objects, NaN) throws, so that no value is ever spliced in as text it was not meant to be. The
 * placeholders must not sit inside quoted text of `sql`.
 */
export function inlineParams(sql: string, params: readonly unknown[]): string {
  return sql.replace(/\$(\d+)/g, (_, n: string) => {
    const index = Number(n) - 1;
    if (index < 0 || index >= params.length) throw new Error(`inlineParams: no value for $${n}`);
    return literal(params[index], n);
  });
}

function literal(value: unknown, n: string): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'boolean') return value ? "'true'" : "'false'";
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`inlineParams: $${n} is not a finite number`);
    return `'${String(value)}'`;
  }
  if (typeof value === 'string') {
    if (value.includes('\u0000')) throw new Error(`inlineParams: $${n} holds a NUL`);
    return pg.escapeLiteral(value);
  }
  throw new Error(`inlineParams: $${n} is a ${Array.isArray(value) ? 'array' : typeof value}, which has no inline literal here`);
}
