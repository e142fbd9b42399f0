import { describe, expect, it } from 'vitest';
import { INCIDENT_ID, incidentId, stepId } from './incident-id.js';
import { isResourceTarget, isResourceType } from './model.js';

describe('step ids, incident ids and resource targets (one definition each)', () => {
  it('a step is its action on its target', () => {
    expect(stepId('quarantine-instance', { id: 'i-0abc' })).toBe('quarantine-instance:i-0abc');
  });

  it('an incident id is inc- and 16 hex digits, derived from the finding', () => {
    const id = incidentId({ source: 'guardduty', id: 'f1' });
    expect(id).toMatch(INCIDENT_ID);
    expect(incidentId({ source: 'guardduty', id: 'f1' })).toBe(id);
    expect(INCIDENT_ID.test('inc-0123456789ABCDEF')).toBe(false);
    expect(INCIDENT_ID.test('inc-0123456789abcdef/..')).toBe(false);
  });

  it('only cloud resources are resource targets, not the finding or the incident', () => {
    expect(isResourceTarget({ type: 'AwsEc2Instance' })).toBe(true);
    expect(isResourceTarget({ type: 'AwsKmsKey' })).toBe(true);
    expect(isResourceTarget({ type: 'finding' })).toBe(false);
    expect(isResourceTarget({ type: 'incident' })).toBe(false);
    expect(['AwsS3Bucket', 'finding', 'Microsoft.Graph/users', 'incident'].filter(isResourceType)).toEqual(['AwsS3Bucket', 'Microsoft.Graph/users']);
  });
});
