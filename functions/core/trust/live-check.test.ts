import { describe, expect, it } from 'vitest';
import { PHASES } from '../model.js';
import { judgeLiveTags, type LiveTags } from './live-check.js';

const tags = (t: Record<string, string>): LiveTags => ({ kind: 'tags', tags: t, via: 'ec2:DescribeInstances' });
const unreadable: LiveTags = { kind: 'unreadable', problem: 'AccessDenied' };

describe('judgeLiveTags', () => {
  it('exempt on the live resource stops every phase, approved or not', () => {
    for (const phase of PHASES) for (const approved of [false, true]) {
      expect(judgeLiveTags({ phase, approved }, tags({ 'cordon:exempt': 'true' }))).toMatchObject({ act: false, outcome: 'exempt' });
    }
  });

  it('approval=required makes containment wait until a person approved; preservation never waits', () => {
    const required = tags({ 'cordon:approval': 'required' });
    expect(judgeLiveTags({ phase: 'contain', approved: false }, required)).toMatchObject({ act: false, outcome: 'needs-approval' });
    expect(judgeLiveTags({ phase: 'contain', approved: true }, required)).toEqual({ act: true });
    expect(judgeLiveTags({ phase: 'preserve', approved: false }, required)).toEqual({ act: true });
    expect(judgeLiveTags({ phase: 'contain', approved: false }, tags({ 'cordon:approval': 'REQUIRED' }))).toMatchObject({ outcome: 'needs-approval' });
  });

  it('unreadable tags: containment waits (fail closed) unless approved; preservation acts and says why', () => {
    expect(judgeLiveTags({ phase: 'contain', approved: false }, unreadable)).toMatchObject({ act: false, outcome: 'needs-approval', detail: expect.stringMatching(/AccessDenied.*fail closed/) });
    expect(judgeLiveTags({ phase: 'contain', approved: true }, unreadable)).toMatchObject({ act: true });
    expect(judgeLiveTags({ phase: 'preserve', approved: false }, unreadable)).toMatchObject({ act: true, note: expect.stringMatching(/never waits/) });
  });

  it('other tags, other values and untagged target types act', () => {
    expect(judgeLiveTags({ phase: 'contain', approved: false }, tags({ 'cordon:exempt': 'false', 'cordon:approval': 'optional', team: 'ml' }))).toEqual({ act: true });
    expect(judgeLiveTags({ phase: 'contain', approved: false }, { kind: 'untagged', why: 'Entra users carry no tags' })).toEqual({ act: true });
    // A target the cloud says does not exist has nothing to protect: the action reports NotFound itself.
    expect(judgeLiveTags({ phase: 'contain', approved: false }, { kind: 'missing', why: 'InvalidInstanceID.NotFound' })).toMatchObject({ act: true });
  });
});
