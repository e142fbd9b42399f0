#!/usr/bin/env node
// Entry point: runs the TypeScript CLI through tsx, so a checkout needs no build step.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 13)) {
  process.stderr.write(
    `cordon: needs Node.js 22.13 or later (this is ${process.versions.node}). In a checkout, 'npm run cordon -- …' uses the project's own Node 22.\n`,
  );
  process.exit(2);
}
const { register } = await import('tsx/esm/api');
register();
const { main } = await import('../functions/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
