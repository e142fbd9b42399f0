import { describe, expect, it } from 'vitest';
import { ACTION_CATALOG } from './actions/catalog.js';
import { ACTION_NAMES } from './model.js';

describe('action catalog', () => {
  it('defines every action named in DESIGN.md exactly once, under its own name', () => {
    expect(Object.keys(ACTION_CATALOG).sort()).toEqual([...ACTION_NAMES].sort());
    for (const [name, spec] of Object.entries(ACTION_CATALOG)) expect(spec.name).toBe(name);
  });
});
