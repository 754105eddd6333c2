import pg from 'pg';

/**
 * `sql` with its `$n` placeholders replaced by the values as SQL literals, for the one place a
 * statement cannot travel with its parameters: a simple-protocol query that carries more than one
 * statement (a transaction's last statement and its COMMIT, database.ts). Only values whose literal
 * is unambiguous are taken: strings (quoted and escaped by pg's escapeLiteral), finite numbers,
 * booleans and null; anything else (arrays, objects, NaN) throws, so that no value is ever spliced
 * in as text it was not meant to be. The placeholders must not sit inside quoted text of `sql`.
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
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`inlineParams: $${n} is not a finite number`);
    // Parenthesised, so that a negative value after an operator stays one term.
    return value < 0 ? `(${value})` : String(value);
  }
  if (typeof value === 'string') return pg.escapeLiteral(value);
  throw new Error(`inlineParams: $${n} is a ${Array.isArray(value) ? 'array' : typeof value}, which has no inline literal here`);
}
