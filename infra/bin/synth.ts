import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { buildCordonApp, PROJECT_ROOT } from '../app.js';
import { LAMBDA_ENTRIES } from '../lambdas.js';

/**
 * `npm run synth`: writes cdk.out/ offline (no account, no Docker; Lambdas bundled by the
 * local esbuild). Exits 1 naming every problem: a missing handler, an uncompiled playbook,
 * or an unacknowledged cdk-nag finding. Context values as with the CDK CLI:
 * `npm run synth -- -c cordon:auditRetentionDays=2555`.
 */
function contextArgs(args: readonly string[]): Record<string, string> {
  const context: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg !== '-c' && arg !== '--context') {
      console.error(`synth: unknown argument '${arg}' (usage: npm run synth -- [-c key=value]...)`);
      process.exit(2);
    }
    const pair = args[++i] ?? '';
    const eq = pair.indexOf('=');
    if (eq <= 0) {
      console.error(`synth: ${arg} '${pair}': expected key=value`);
      process.exit(2);
    }
    context[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return context;
}

const missing = Object.values(LAMBDA_ENTRIES).filter((entry) => !existsSync(join(PROJECT_ROOT, entry)));
if (missing.length > 0) {
  for (const entry of missing) console.error(`synth: ${entry}: handler source missing (infra/lambdas.ts)`);
  process.exit(1);
}

const { app, cordon } = buildCordonApp({ appProps: { outdir: join(PROJECT_ROOT, 'cdk.out'), context: contextArgs(process.argv.slice(2)) } });
try {
  const assembly = app.synth();
  const errors = assembly.stacks.flatMap((stack) =>
    stack.messages.filter((m) => m.level === 'error').map((m) => `${m.id}: ${String(m.entry.data)}`),
  );
  if (errors.length > 0) {
    for (const error of errors) console.error(`synth: ${error}`);
    process.exit(1);
  }
  console.log(`synth: wrote ${assembly.directory} (${assembly.stacks.map((s) => s.templateFile).join(', ')}); ${cordon.stateMachines.size} state machines`);
} catch (e) {
  console.error(`synth: ${(e as Error).message}`);
  process.exit(1);
}
