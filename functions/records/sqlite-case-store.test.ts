import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { caseStoreContract } from '../../test/support/records/case-store.contract.js';
import { SqliteCaseStore } from './sqlite-case-store.js';
import { runTsx } from '../../test/support/records/run-tsx.js';

const dirs: string[] = [];
function freshHome(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cordon-sqlite-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

caseStoreContract('SqliteCaseStore', async () => {
  const home = freshHome();
  return { store: SqliteCaseStore.inHome(home), openAgain: async () => SqliteCaseStore.inHome(home) };
});

const WRITER = fileURLToPath(new URL('../../test/support/records/concurrent-writer.ts', import.meta.url));

async function runWriter(dbPath: string, label: string, count: number, goFile: string): Promise<string[]> {
  return JSON.parse(await runTsx(WRITER, [dbPath, label, String(count), goFile])) as string[];
}

/** Lets the writers go once both are ready, so they really write at the same time. */
async function startTogether(goFile: string, labels: readonly string[]): Promise<void> {
  for (let waited = 0; !labels.every((l) => existsSync(`${goFile}.ready-${l}`)); waited += 10) {
    if (waited > 30_000) throw new Error('writers never got ready');
    await new Promise((r) => setTimeout(r, 10));
  }
  writeFileSync(goFile, '');
}

describe('SqliteCaseStore across processes', () => {
  it('loses no update and never double-claims while two processes write at once', async () => {
    const home = freshHome();
    const path = join(home, 'cordon.db');
    const count = 150;
    const go = join(home, 'go');
    const [a, b] = await Promise.all([runWriter(path, 'a', count, go), runWriter(path, 'b', count, go), startTogether(go, ['a', 'b'])]);
    // Both processes raced for the same step ids: each was claimed exactly once (by one or the other).
    expect([...(a ?? []), ...(b ?? [])].sort()).toEqual(Array.from({ length: count }, (_, i) => `step-${i}`).sort());
    const store = new SqliteCaseStore(path);
    try {
      expect(await store.countActions('123456789012', '2024-03-30T00:00:00.000Z')).toBe(2 * count);
      const clocks = await store.listClocks('inc-0123456789abcdef');
      expect(clocks.map((c) => c.regime)).toEqual(['gdpr-art33']);
      expect(clocks[0]?.remindersSent.map((r) => r.offsetHours).sort((x, y) => x - y)).toEqual(Array.from({ length: count }, (_, i) => i + 1));
      expect((await store.listSteps('inc-0123456789abcdef')).every((s) => s.status === 'succeeded')).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('keeps its data when the database is opened again (a restart)', async () => {
    const home = freshHome();
    const first = SqliteCaseStore.inHome(home);
    await first.openClock('inc-0123456789abcdef', { regime: 'gdpr-art33', awareAt: '2024-03-30T22:20:00.000Z', deadline: '2024-04-02T22:20:00.000Z' }, { openedAt: '2024-03-30T22:20:00.000Z' });
    await first.close();
    const second = SqliteCaseStore.inHome(home);
    expect((await second.listOpenClocks()).map((c) => c.deadline)).toEqual(['2024-04-02T22:20:00.000Z']);
    await second.close();
  });
});
