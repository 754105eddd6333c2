import pg from 'pg';

/**
 * `sql` with its `$n` placeholders replaced by the values as SQL literals, for the places a
 * statement cannot travel with its parameters: a simple-protocol query that carries more than one
 * statement (a transaction's BEGIN with its first statement, its last statement with its COMMIT,
 * a whole transaction in one round trip: database.ts). Every value is written as a quoted literal
 * ('42', 'true', 'text', '{"a","b"}'), which has no type of its own: PostgreSQL types it from
 * where it stands, as it types a parameter sent apart from the statement, so `text_column = $1`
 * with a number, or `id = ANY($1)` with an array, means the same either way. Only values whose
 * literal is unambiguous are taken: strings (escaped by pg's escapeLiteral) without a NUL, which a
 * query's text cannot carry, finite numbers, booleans, null, arrays of those (written as pg writes
 * an array parameter) and plain objects (as JSON, as pg sends them); anything else (a Buffer, a
 * Date, NaN) throws, so that no value is ever spliced in as text it was not meant to be. The
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
  if (typeof value === 'string') return text(value, n);
  // The text pg itself would send for the parameter: an array literal, or the object's JSON.
  if (Array.isArray(value) && value.every(isArrayElement)) return text(arrayLiteral(value), n);
  if (isPlainObject(value)) return text(JSON.stringify(value), n);
  throw new Error(`inlineParams: $${n} is a ${Array.isArray(value) ? 'array with elements' : typeof value} that has no inline literal here`);
}

function text(value: string, n: string): string {
  if (value.includes('\u0000')) throw new Error(`inlineParams: $${n} holds a NUL`);
  return pg.escapeLiteral(value);
}

/** An array as PostgreSQL's array input reads it, each element quoted: `{"a","b \\"c\\"",NULL}`. */
function arrayLiteral(values: readonly unknown[]): string {
  const elements = values.map((v) => {
    if (v === null) return 'NULL';
    if (Array.isArray(v)) return arrayLiteral(v);
    return `"${String(v).replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  });
  return `{${elements.join(',')}}`;
}

function isArrayElement(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  return Array.isArray(value) && value.every(isArrayElement);
}

function isPlainObject(value: unknown): value is object {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
