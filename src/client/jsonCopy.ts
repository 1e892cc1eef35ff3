/**
 * What `JSON.parse(JSON.stringify(value))` gives, without writing strings out and reading them
 * back: strings are immutable and shared as they are. A page of log text is up to 96 KiB of it,
 * and the in-process client copies every answer so that it sees what an HTTP client would.
 */
export function jsonCopy(value: unknown): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value || 0 : null; // -0 is written 0
  if (typeof value !== 'object') return undefined; // undefined, functions and symbols have no JSON
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return JSON.parse(JSON.stringify(value)) as unknown;
  if (Array.isArray(value)) return value.map((item) => jsonCopy(item) ?? null);
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const copy = jsonCopy(item);
    if (copy !== undefined) out[key] = copy;
  }
  return out;
}
