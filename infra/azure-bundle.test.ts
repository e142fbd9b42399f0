import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { azureFunctionAppOptions } from './bundle.js';
import { AZURE_FUNCTION_APP_ENTRIES } from './lambdas.js';

/**
 * The deployed Function App carries no local engine: ingest in the cloud starts the Step Functions
 * workflow, so the workflow runner, the local session and the SQLite case store have no business
 * in its bundle (they only served `func start` on a workstation, now the local entry's job).
 */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = mkdtempSync(join(tmpdir(), 'cordon-azure-bundle-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

const LOCAL_ENGINE = /(^|\/)(workflows\/runner\.ts|functions\/engine\/session\.ts|functions\/records\/(sqlite-case-store|load-sqlite)\.ts)$/;

async function modulesOf(entry: keyof typeof AZURE_FUNCTION_APP_ENTRIES): Promise<{ inputs: string[]; external: string[] }> {
  const result = await build({ ...azureFunctionAppOptions(ROOT, AZURE_FUNCTION_APP_ENTRIES[entry], join(out, entry, 'index.mjs')), metafile: true, write: false });
  const metafile: Metafile = result.metafile;
  return {
    inputs: Object.keys(metafile.inputs),
    external: Object.values(metafile.outputs).flatMap((o) => o.imports.filter((i) => i.external).map((i) => i.path)),
  };
}

describe('Azure Function App bundles', () => {
  it('the production entry bundles no workflow runner, local session or SQLite store', async () => {
    const { inputs, external } = await modulesOf('production');
    expect(inputs.some((i) => i.endsWith('functions/handlers/azure/actions.ts'))).toBe(true);
    expect(inputs.filter((i) => LOCAL_ENGINE.test(i))).toEqual([]);
    expect(external.filter((i) => i.includes('sqlite'))).toEqual([]);
  });

  it('the workstation entry does carry the local engine (the check above can see it)', async () => {
    const { inputs } = await modulesOf('local');
    expect(inputs.filter((i) => LOCAL_ENGINE.test(i)).length).toBeGreaterThanOrEqual(3);
  });
});
