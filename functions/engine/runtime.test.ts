import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exerciseHome } from './runtime.js';

describe('exerciseHome', () => {
  it('names a run by its start time, and never hands two runs the same directory', () => {
    const home = join(mkdtempSync(join(tmpdir(), 'cordon-home-')), 'fresh');
    const at = new Date('2026-11-23T16:33:27.524Z');
    const first = exerciseHome(home, at);
    expect(first).toBe(join(home, 'tabletop', '20261123T163327524Z'));
    expect(basename(exerciseHome(home, at))).toBe('20261123T163327524Z-1');
    expect(basename(exerciseHome(home, at, 'run-'))).toBe('run-20261123T163327524Z');
  });
});
