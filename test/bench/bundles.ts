import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { runNode } from './child.js';
import { REPO_ROOT } from './fixtures.js';
import { median, progress, round, type TargetCheck } from './stats.js';

export interface BundleFigure {
  kb: number;
  coldImportMs: number | null;
  /** The packages that weigh most in the bundle (esbuild metafile), KB each; esbuild path only. */
  heaviest?: Record<string, number>;
  error?: string;
}

export interface Bundles {
  bundles: Record<string, BundleFigure>;
  missing?: string;
  method: string;
  target: TargetCheck;
}

const HANDLER_DIR = join(REPO_ROOT, 'functions/handlers/aws');
const INFRA_BUNDLER = join(REPO_ROOT, 'infra/bundle.ts');
const RUNS = 5;
/** What a deployed handler sees at cold start (infra/cordon-stack.ts sets these); nothing is called. */
const HANDLER_ENV = { CORDON_CASE_TABLE: 'cordon-bench-cases', AWS_REGION: 'us-east-1', AWS_LAMBDA_FUNCTION_NAME: 'cordon-bench' };

/** A module is a handler when it exports `handler`; env.ts, runtime.ts and friends are its helpers. */
function handlerEntries(): string[] {
  if (!existsSync(HANDLER_DIR)) return [];
  return readdirSync(HANDLER_DIR)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .map((f) => join(HANDLER_DIR, f))
    .filter((f) => /export\s+(const|let|async\s+function|function)\s+handler\b|export\s*\{[^}]*\bhandler\b/.test(readFileSync(f, 'utf8')));
}

/** The CDK's options, until infra/bundle.ts exists: one ESM file per handler with everything inlined. */
/** Sums a metafile's output bytes by npm package (or `(cordon)` for our own source). */
function heaviest(inputs: Record<string, { bytesInOutput: number }>): Record<string, number> {
  const byPackage = new Map<string, number>();
  for (const [path, { bytesInOutput }] of Object.entries(inputs)) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
    const key = m ? m[1]! : '(cordon)';
    byPackage.set(key, (byPackage.get(key) ?? 0) + bytesInOutput);
  }
  return Object.fromEntries([...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([k, v]) => [k, round(v / 1024)]));
}

const weights = new Map<string, Record<string, number>>();

async function bundleWithEsbuild(entries: readonly string[], outDir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const entry of entries) {
    const name = basename(entry, '.ts');
    const outfile = join(outDir, name, 'index.mjs');
    const result = await build({
      metafile: true,
      entryPoints: [entry],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node22',
      minify: true,
      logLevel: 'silent',
      // CommonJS dependencies call require(); an ESM bundle must provide it.
      banner: { js: "import { createRequire as __cordonCreateRequire } from 'node:module'; const require = __cordonCreateRequire(import.meta.url);" },
    });
    const output = Object.values(result.metafile.outputs)[0];
    if (output) weights.set(name, heaviest(output.inputs));
    out.set(name, outfile);
  }
  return out;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

/** infra/bundle.ts's `bundleLambdas(outDir)`: each handler's .mjs/.js it wrote, named by its folder (or file). */
async function bundleWithInfra(outDir: string): Promise<Map<string, string>> {
  const mod = (await import(pathToFileURL(INFRA_BUNDLER).href)) as { bundleLambdas?: (outDir: string) => Promise<unknown> | unknown };
  if (typeof mod.bundleLambdas !== 'function') throw new Error('infra/bundle.ts exports no bundleLambdas(outDir)');
  await mod.bundleLambdas(outDir);
  const out = new Map<string, string>();
  for (const file of filesUnder(outDir).filter((f) => /\.(mjs|cjs|js)$/.test(f))) {
    const rel = relative(outDir, file).split('/');
    out.set(rel.length > 1 ? rel.slice(0, -1).join('/') : basename(file).replace(/\.(mjs|cjs|js)$/, ''), file);
  }
  return out;
}

/** A fresh Node per run, so nothing is cached: the import alone is timed. */
async function coldImportMs(file: string): Promise<{ ms: number | null; error?: string }> {
  const script = `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); process.stdout.write(String(performance.now() - t));`;
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const r = await runNode(['--input-type=module', '-e', script], { cwd: tmpdir(), env: { PATH: process.env.PATH ?? '', ...HANDLER_ENV } });
    if (r.code !== 0) return { ms: null, error: r.stderr.trim().split('\n').slice(0, 4).join(' | ') };
    times.push(Number(r.stdout));
  }
  return { ms: round(median(times)) };
}

export async function measureBundles(): Promise<Bundles> {
  const entries = handlerEntries();
  const viaInfra = existsSync(INFRA_BUNDLER);
  if (!viaInfra && entries.length === 0) {
    return {
      bundles: {},
      missing: 'functions/handlers/aws/*.ts holds no module that exports `handler` yet, and infra/bundle.ts does not exist',
      method: 'not measured',
      target: { target: '<= 1024 KB and <= 150 ms cold import, each', measured: null, pass: false, note: 'no handlers to bundle' },
    };
  }
  // Inside the checkout, so any module left external resolves from node_modules as it would from
  // the runtime's, and counts in the cold import.
  mkdirSync(join(REPO_ROOT, 'dist'), { recursive: true });
  const outDir = mkdtempSync(join(REPO_ROOT, 'dist', 'bench-bundles-'));
  try {
    const files = viaInfra ? await bundleWithInfra(outDir) : await bundleWithEsbuild(entries, outDir);
    const bundles: Record<string, BundleFigure> = {};
    for (const [name, file] of [...files].sort(([a], [b]) => a.localeCompare(b))) {
      const kb = round(statSync(file).size / 1024);
      const cold = await coldImportMs(file);
      const heavy = weights.get(name);
      bundles[name] = { kb, coldImportMs: cold.ms, ...(heavy ? { heaviest: heavy } : {}), ...(cold.error ? { error: cold.error } : {}) };
      progress(`bundle ${name}: ${kb} KB, cold import ${cold.ms ?? 'failed'} ms`);
    }
    const figures = Object.values(bundles);
    const worstKb = Math.max(...figures.map((b) => b.kb));
    const worstMs = Math.max(...figures.map((b) => b.coldImportMs ?? Number.POSITIVE_INFINITY));
    return {
      bundles,
      method:
        (viaInfra ? 'infra/bundle.ts bundleLambdas(outDir) (the CDK app\'s esbuild options)' : `esbuild directly, as infra/bundle.ts does not exist yet: every functions/handlers/aws/*.ts that exports \`handler\` (${entries.map((e) => basename(e)).join(', ')}), bundle everything, platform node, format esm, target node22, minify, no source map`) +
        `; size of the .mjs on disk; cold import = \`await import(bundle)\` timed inside a fresh \`node\` process (${process.version}) with only the handler's environment set, median of ${RUNS}.`,
      target: { target: '<= 1024 KB and <= 150 ms cold import, each', measured: worstMs, pass: worstKb <= 1024 && worstMs <= 150, note: `largest ${worstKb} KB, slowest cold import ${worstMs} ms` },
    };
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}
