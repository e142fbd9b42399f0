import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { missingCloudSetup } from '../../functions/cli/main.js';
import { cordon, FIXTURES } from './harness.js';

/** Issue 16: what a newcomer meets in the first hour (README commands, pipes, missing setup). */
const NO_CLOUD_ENV = { AWS_REGION: '', AWS_DEFAULT_REGION: '', AWS_PROFILE: '' };

describe('a newcomer with no cloud environment', () => {
  it('runs the README simulated S3 containment without AWS_REGION (the simulated estate picks its own region)', async () => {
    const r = await cordon(['run', 'aws-s3-data-exposure', '--target', 'arn:aws:s3:::model-weights', '--execute', '--sim', '--json'], { env: NO_CLOUD_ENV });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { incidents: { steps: { action: string; status: string }[] }[] };
    expect(doc.incidents[0]?.steps.find((s) => s.action === 'block-s3-public-access')?.status).toBe('succeeded');
  });

  it('without --sim the same command says what to set, exit 2', async () => {
    const r = await cordon(['run', 'aws-s3-data-exposure', '--target', 'arn:aws:s3:::model-weights', '--execute'], { env: NO_CLOUD_ENV });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--region is needed: .* pass --region or set AWS_REGION/);
  });

  it('plan --json prints its JSON document even when every input is rejected', async () => {
    const r = await cordon(['plan', '--json', join(FIXTURES, 'bad/unknown-shape.json')]);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toEqual({ incidents: [], rejected: [{ file: expect.stringMatching(/unknown-shape\.json$/) as unknown as string, reason: expect.any(String) as unknown as string }] });
  });

  it('missing credentials or region are named, not reported as internal errors', () => {
    const credentials = Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
    expect(missingCloudSetup(credentials)).toMatch(/^no AWS credentials found: set AWS_PROFILE/);
    expect(missingCloudSetup(new Error('Region is missing'))).toBe('no AWS region: pass --region or set AWS_REGION');
    expect(missingCloudSetup(Object.assign(new Error('EnvironmentCredential is unavailable'), { name: 'CredentialUnavailableError' }))).toMatch(/^no Azure credentials found/);
    expect(missingCloudSetup(new Error('socket hang up'))).toBeUndefined();
  });

  it('a closed stdout (EPIPE, as under `| head`) is quiet: the command finishes, no stack trace', async () => {
    const repo = resolve(import.meta.dirname, '../..');
    // The pipe closing is simulated exactly as Node reports it: an EPIPE 'error' event on process.stdout.
    const script = (guarded: boolean) => `
      const { processIo } = await import(${JSON.stringify(join(repo, 'functions/cli/io.ts'))});
      const io = ${guarded ? 'processIo()' : '{ out: (t) => process.stdout.write(t) }'};
      process.stdout.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE', syscall: 'write' }));
      io.out('after the reader left');
      process.stderr.write('finished');`;
    const run = (guarded: boolean) =>
      new Promise<{ code: number | null; stderr: string }>((done) => {
        const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script(guarded)], { cwd: repo, stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('close', (code) => done({ code, stderr }));
      });
    const guarded = await run(true);
    expect(guarded).toEqual({ code: 0, stderr: 'finished' });
    // The twin: without processIo's guard the same event kills the process with a trace.
    const bare = await run(false);
    expect(bare.code).not.toBe(0);
    expect(bare.stderr).toMatch(/EPIPE/);
  });
});
