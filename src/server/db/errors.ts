/**
 * Whether `error` (or an error it wraps: drizzle wraps the driver's) is a unique violation of the named
 * constraint. PGlite names the constraint in the message only, node-postgres in a field.
 */
export function isUniqueViolation(error: unknown, constraint: string): boolean {
  for (let e: unknown = error; e && typeof e === 'object'; e = (e as { cause?: unknown }).cause) {
    const candidate = e as { code?: unknown; constraint?: unknown; message?: unknown };
    if (candidate.code === '23505' && (candidate.constraint === constraint || String(candidate.message ?? '').includes(constraint))) return true;
  }
  return false;
}
