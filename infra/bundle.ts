import { mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { esbuildOptions } from './bundling.js';
import { LAMBDA_ENTRIES, LAMBDA_NAMES } from './lambdas.js';

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

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const outDir = process.argv[2] ?? join(PROJECT_ROOT, 'dist', 'lambdas');
  const bundles = await bundleLambdas(outDir);
  for (const b of bundles) {
    const over = b.bytes > BUNDLE_LIMIT_BYTES ? `  over the ${BUNDLE_LIMIT_BYTES / 1024} KB target` : '';
    process.stdout.write(`${b.name.padEnd(16)} ${(b.bytes / 1024).toFixed(0).padStart(6)} KB  ${b.file}${over}\n`);
  }
}
