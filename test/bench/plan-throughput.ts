import { ingestText, ingestValue } from '../../functions/core/findings/ingest.js';
import type { IngestResult } from '../../functions/core/findings/ingest.js';
import { planIncident, planSettings } from '../../functions/core/plan/plan.js';
import type { Playbook } from '../../functions/core/playbooks/schema.js';
import { compileRouter } from '../../functions/core/playbooks/match.js';
import { loadMix, variantText } from './fixtures.js';
import { atLeast, median, progress, round, type TargetCheck } from './stats.js';

export interface PlanThroughput {
  planPerSecond: number;
  fromTextPerSecond: number;
  method: string;
  target: TargetCheck;
}

const RUNS = 5;
const COPIES = 1_000;

/**
 * Ingest + route + plan per event on this one thread (one core): the pool holds COPIES distinct
 * variants of every fixture that carries a finding, built before the clock starts.
 */
export function measurePlanThroughput(playbooks: readonly Playbook[]): PlanThroughput {
  const { entries, leftOut } = loadMix();
  const texts: string[] = [];
  for (let n = 0; n < COPIES; n++) for (const e of entries) texts.push(variantText(e, n));
  const values: unknown[] = texts.map((t) => JSON.parse(t) as unknown);
  const router = compileRouter(playbooks);
  const settings = planSettings({ now: new Date('2026-01-01T00:00:00Z'), mode: 'automatic' });

  const pass = (read: (i: number) => IngestResult): number => {
    let findings = 0;
    const t0 = performance.now();
    for (let i = 0; i < texts.length; i++) {
      const result = read(i);
      if (result.rejected.length > 0) throw new Error(`a benchmark event was rejected: ${result.rejected[0]!.reason}`);
      for (const { finding } of result.findings) {
        planIncident(finding, router(finding), settings);
        findings += 1;
      }
    }
    return findings / ((performance.now() - t0) / 1000);
  };
  const measure = (label: string, read: (i: number) => IngestResult): number => {
    pass(read); // warm-up: JIT and zod's compiled parsers
    const rates: number[] = [];
    for (let r = 0; r < RUNS; r++) rates.push(pass(read));
    progress(`plan ${label}: ${rates.map((x) => Math.round(x)).join(', ')} findings/s`);
    return median(rates);
  };

  const planPerSecond = Math.round(measure('parsed', (i) => ingestValue(values[i], 'bench')));
  const fromTextPerSecond = Math.round(measure('from text', (i) => ingestText(texts[i]!, 'bench')));
  const method =
    `ingestValue (parsed events, as the Lambda receives them) + compileRouter + planIncident, single thread; ` +
    `${texts.length} events = ${COPIES} id-varied copies of ${entries.length} fixtures (${entries.map((e) => e.file.split('/').pop()).join(', ')}); ` +
    `${leftOut.length} fixtures carry no finding and are left out (${leftOut.join(', ')}); 1 warm-up pass, median of ${RUNS} passes. ` +
    `From text (ingestText: JSON.parse + size checks): ${fromTextPerSecond}/s, median of ${RUNS}.`;
  return { planPerSecond, fromTextPerSecond, method, target: { ...atLeast(planPerSecond, 20_000, 'findings/s'), measured: round(planPerSecond, 0) } };
}
