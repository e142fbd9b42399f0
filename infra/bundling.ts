import { join } from 'node:path';
import type { BuildOptions } from 'esbuild';
import { OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { loadPlaybooks } from '../functions/core/playbooks/load.js';

/**
 * The one definition of how a Cordon Lambda is bundled, used by the CDK NodejsFunction (local
 * esbuild, never Docker) and by `npm run bundle` (infra/bundle.ts), so what is measured is
 * what is deployed.
 *
 * The playbooks are embedded at build time: a bundle has no `playbooks/` directory beside it,
 * so the parsed, validated playbooks become the constant `__CORDON_PLAYBOOKS__`
 * (functions/handlers/playbooks.ts reads it).
 */
export interface SharedBundleOptions {
  format: 'esm';
  target: 'node22';
  platform: 'node';
  minify: true;
  sourcemap: true;
  mainFields: string[];
  banner: string;
  /**
   * Nothing: the AWS SDK v3 clients are bundled, so the deployed versions are the ones the
   * lockfile pins — and one minified file imports faster than the runtime's copy of the SDK
   * spread over hundreds of modules (measured by `npm run bench`: ~130 ms against ~220 ms for
   * the ingest, approval and clock-reminder handlers).
   */
  external: string[];
  define: Record<string, string>;
}

export function sharedBundleOptions(projectRoot: string): SharedBundleOptions {
  const playbooks = loadPlaybooks(join(projectRoot, 'playbooks'));
  return {
    format: 'esm',
    target: 'node22',
    platform: 'node',
    minify: true,
    sourcemap: true,
    mainFields: ['module', 'main'],
    // CommonJS dependencies inside an ESM bundle still call require().
    banner: "import { createRequire as __cordonRequire } from 'node:module'; const require = __cordonRequire(import.meta.url);",
    external: [],
    // A JS expression: the playbooks as a JSON literal.
    define: { __CORDON_BUNDLED__: 'true', __CORDON_PLAYBOOKS__: JSON.stringify(playbooks) },
  };
}

/** The options as the CDK NodejsFunction takes them. */
export function cdkBundling(projectRoot: string): BundlingOptions {
  const o = sharedBundleOptions(projectRoot);
  return {
    forceDockerBundling: false,
    format: OutputFormat.ESM,
    target: o.target,
    minify: o.minify,
    sourceMap: o.sourcemap,
    externalModules: o.external,
    mainFields: o.mainFields,
    banner: o.banner,
    define: o.define,
  };
}

/** The options as esbuild's API takes them, for one entry written to `outfile`. */
export function esbuildOptions(projectRoot: string, entry: string, outfile: string): BuildOptions {
  const o = sharedBundleOptions(projectRoot);
  return {
    entryPoints: [join(projectRoot, entry)],
    outfile,
    bundle: true,
    format: o.format,
    target: o.target,
    platform: o.platform,
    minify: o.minify,
    sourcemap: o.sourcemap,
    mainFields: o.mainFields,
    banner: { js: o.banner },
    external: o.external,
    define: o.define,
    logLevel: 'warning',
  };
}
