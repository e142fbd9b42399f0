/**
 * Regenerates the checked-in ASL from `playbooks/*.yaml`:
 *   node --import tsx workflows/regenerate.ts      (or: cordon playbooks compile --out workflows/asl)
 */
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadPlaybooks } from '../functions/core/playbooks/load.js';
import { defaultAslDir, writeCompiled } from './write.js';

const dir = defaultAslDir();
// Machines of playbooks that no longer exist go too, so the directory mirrors playbooks/ exactly.
for (const name of readdirSync(dir, { withFileTypes: true })) {
  if (name.isFile() && name.name.endsWith('.asl.json')) rmSync(join(dir, name.name));
}
for (const path of writeCompiled(dir, loadPlaybooks())) console.log(path);
