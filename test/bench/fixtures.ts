import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ingestText } from '../../functions/core/findings/ingest.js';
import { PUBLIC_FIXTURES, REPO_ROOT, jsonFilesUnder, mustIngestFiles } from '../support/public-fixtures.js';

export { PUBLIC_FIXTURES, REPO_ROOT, jsonFilesUnder };

export const AZURE_FIXTURES = [join(REPO_ROOT, 'test/fixtures/defender'), join(REPO_ROOT, 'test/fixtures/graph')];

/**
 * The public fixtures that SOURCES.md says must ingest. `other-shapes/` is left out: its files are
 * rejected or answered by design (each has its own expected outcome), so they are no findings to time.
 */
export const publicFixtureFiles = (): string[] => mustIngestFiles(PUBLIC_FIXTURES);

export interface MixEntry {
  /** Path relative to the repository root, for the method notes. */
  file: string;
  text: string;
  /** Finding ids in the file, as ingest reads them: varied per copy so copies are distinct incidents. */
  findingIds: string[];
}

/**
 * The realistic mix: every public fixture that must ingest plus the Defender and Graph samples that carry a finding.
 * Event Grid validations and Graph change notifications carry none (they are answered or fetched, not
 * planned), so they are left out of a findings-per-second figure.
 */
export function loadMix(): { entries: MixEntry[]; leftOut: string[] } {
  const entries: MixEntry[] = [];
  const leftOut: string[] = [];
  for (const path of [...publicFixtureFiles(), ...AZURE_FIXTURES.flatMap(jsonFilesUnder)]) {
    const text = readFileSync(path, 'utf8');
    const result = ingestText(text, path);
    const file = relative(REPO_ROOT, path);
    if (result.rejected.length > 0) throw new Error(`fixture ${file} no longer ingests: ${result.rejected[0]!.reason}`);
    if (result.findings.length === 0) leftOut.push(file);
    else entries.push({ file, text, findingIds: result.findings.map((f) => f.finding.id) });
  }
  return { entries, leftOut };
}

/**
 * Copy `n` of an event: every occurrence of each finding id (the id itself, and inside ARNs that embed
 * it) gets a suffix, so ingest reads a different finding — and so a different incident — per copy.
 */
export function variantText(entry: MixEntry, n: number): string {
  let text = entry.text;
  for (const id of entry.findingIds) {
    const escaped = JSON.stringify(id).slice(1, -1);
    text = text.split(escaped).join(`${escaped}-v${n}`);
  }
  return text;
}
