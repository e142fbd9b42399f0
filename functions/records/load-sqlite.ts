import { createRequire } from 'node:module';
import type * as Sqlite from 'node:sqlite';

type SqliteModule = typeof Sqlite;

const isSqliteWarning = (w: Error): boolean => w.name === 'ExperimentalWarning' && /\bSQLite\b/.test(w.message);

/**
 * Node 22 prints "ExperimentalWarning: SQLite is an experimental feature" when `node:sqlite`
 * loads. That line would land in every CLI run's stderr, so exactly that warning is filtered:
 * the existing 'warning' listeners (Node's printer among them) are wrapped, and every other
 * warning still reaches them.
 */
function filterSqliteWarning(): void {
  const listeners = process.listeners('warning');
  if (listeners.some((l) => (l as { cordonSqliteFilter?: true }).cordonSqliteFilter)) return;
  process.removeAllListeners('warning');
  const filter = Object.assign(
    (w: Error) => {
      if (isSqliteWarning(w)) return;
      for (const listener of listeners) listener(w);
    },
    { cordonSqliteFilter: true as const },
  );
  process.on('warning', filter);
}

let sqlite: SqliteModule | undefined;

/** Loads `node:sqlite` synchronously (built into Node ≥ 22.5; no native addon). */
export function loadSqlite(): SqliteModule {
  if (!sqlite) {
    filterSqliteWarning();
    sqlite = createRequire(import.meta.url)('node:sqlite') as SqliteModule;
  }
  return sqlite;
}
