import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type BuildOptions } from 'esbuild';
import { esbuildOptions } from './bundling.js';
import { AZURE_FUNCTION_APP_ENTRIES, LAMBDA_ENTRIES, LAMBDA_NAMES, type AzureFunctionAppEntry } from './lambdas.js';

/**
 * `npm run bundle`: bundles every Lambda handler exactly as the CDK app does (infra/bundling.ts)
 * into `<outDir>/<name>/index.mjs` and reports the sizes (DESIGN.md §6: ≤ 1 MB each).
 */
const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const BUNDLE_LIMIT_BYTES = 1024 * 1024;

export async function bundleLambdas(outDir: string, projectRoot: string = PROJECT_ROOT): Promise<{ name: string; file: string; bytes: number }[]> {
  const out: { name: string; file: string; bytes: number }[] = [];
  for (const name of LAMBDA_NAMES) {
    const file = join(outDir, name, 'index.mjs');
    mkdirSync(dirname(file), { recursive: true });
    await build(esbuildOptions(projectRoot, LAMBDA_ENTRIES[name], file));
    out.push({ name, file, bytes: statSync(file).size });
  }
  return out;
}

/**
 * How a Function App entry is bundled: the shared options, with nothing left external but
 * `@azure/functions-core`, which the Functions host provides; the Azure and AWS SDKs are bundled
 * (no runtime ships them there).
 */
export function azureFunctionAppOptions(projectRoot: string, entry: string, outfile: string): BuildOptions {
  return { ...esbuildOptions(projectRoot, entry, outfile), external: ['@azure/functions-core'] };
}

/**
 * The Azure Function App, ready to zip-deploy: `host.json`, a `package.json` whose `main` is the
 * bundled registrations, and that bundle. `production` (functions/handlers/azure/index.ts) is what
 * is deployed; `local` (local.ts) runs ingest on the local engine for `func start`.
 */
export async function bundleAzureFunctionApp(
  outDir: string,
  projectRoot: string = PROJECT_ROOT,
  entry: AzureFunctionAppEntry = 'production',
): Promise<{ dir: string; bytes: number }> {
  const file = join(outDir, 'dist', 'index.mjs');
  mkdirSync(dirname(file), { recursive: true });
  await build(azureFunctionAppOptions(projectRoot, AZURE_FUNCTION_APP_ENTRIES[entry], file));
  writeFileSync(join(outDir, 'package.json'), `${JSON.stringify({ name: 'cordon-azure-functions', private: true, type: 'module', main: 'dist/index.mjs' }, null, 2)}\n`);
  writeFileSync(
    join(outDir, 'host.json'),
    `${JSON.stringify({ version: '2.0', logging: { applicationInsights: { samplingSettings: { isEnabled: true, excludedTypes: 'Request' } } }, extensionBundle: { id: 'Microsoft.Azure.Functions.ExtensionBundle', version: '[4.*, 5.0.0)' } }, null, 2)}\n`,
  );
  return { dir: outDir, bytes: statSync(file).size };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const outDir = process.argv[2] ?? join(PROJECT_ROOT, 'dist', 'lambdas');
  const bundles = await bundleLambdas(outDir);
  for (const b of bundles) {
    const over = b.bytes > BUNDLE_LIMIT_BYTES ? `  over the ${BUNDLE_LIMIT_BYTES / 1024} KB target` : '';
    process.stdout.write(`${b.name.padEnd(16)} ${(b.bytes / 1024).toFixed(0).padStart(6)} KB  ${b.file}${over}\n`);
  }
  const azure = await bundleAzureFunctionApp(join(outDir, '..', 'azure-functionapp'));
  process.stdout.write(`${'azure functions'.padEnd(16)} ${(azure.bytes / 1024).toFixed(0).padStart(6)} KB  ${azure.dir} (zip it for 'az functionapp deployment source config-zip')\n`);
  const local = await bundleAzureFunctionApp(join(outDir, '..', 'azure-functionapp-local'), PROJECT_ROOT, 'local');
  process.stdout.write(`${'azure (local)'.padEnd(16)} ${(local.bytes / 1024).toFixed(0).padStart(6)} KB  ${local.dir} (for 'func start' on a workstation; never deployed)\n`);
}
