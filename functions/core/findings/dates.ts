/** ISO-8601 UTC with milliseconds; a timestamp without an offset is read as UTC (Defender, Graph and AWS all mean UTC). */
export function toIsoUtc(value: string): string | undefined {
  const trimmed = value.trim();
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/i.test(trimmed)) return undefined;
  const hasZone = /(Z|[+-]\d{2}:?\d{2})$/i.test(trimmed) && trimmed.length > 10;
  const ms = Date.parse(hasZone ? trimmed : `${trimmed.replace(' ', 'T')}${trimmed.length > 10 ? 'Z' : ''}`);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}
