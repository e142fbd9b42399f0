/** Small measurement helpers shared by the benchmark's figures. */

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export const round = (value: number, digits = 1): number => Number(value.toFixed(digits));

/** Progress goes to stderr so `--json` leaves stdout to the one JSON document. */
export function progress(text: string): void {
  process.stderr.write(`bench: ${text}\n`);
}

export async function timed<T>(fn: () => Promise<T> | T): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

/** One figure's verdict against its DESIGN.md §6 target. */
export interface TargetCheck {
  target: string;
  measured: number | null;
  pass: boolean;
  note?: string;
}

export function atLeast(measured: number, min: number, unit: string): TargetCheck {
  return { target: `>= ${min} ${unit}`, measured, pass: measured >= min };
}

export function atMost(measured: number, max: number, unit: string): TargetCheck {
  return { target: `<= ${max} ${unit}`, measured, pass: measured <= max };
}
