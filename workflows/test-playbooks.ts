import { PlaybookSchema } from '../functions/core/playbooks/schema.js';
import type { Playbook, PlaybookStep } from '../functions/core/playbooks/schema.js';

/** Inline playbooks for the workflow tests: the compiler's behaviour pinned apart from playbooks/*.yaml. */
export function testPlaybook(id: string, cloud: 'aws' | 'azure', steps: Partial<PlaybookStep>[]): Playbook {
  return PlaybookSchema.parse({
    id,
    title: `test ${id}`,
    description: 'workflow test playbook',
    cloud,
    match: { source: cloud === 'aws' ? ['guardduty', 'securityhub'] : ['defender'] },
    steps,
  });
}

export const EC2_PLAYBOOK = testPlaybook('test-ec2', 'aws', [
  { action: 'quarantine-instance' },
  { action: 'snapshot-volumes' },
  { action: 'update-finding', sources: ['securityhub'] },
]);

export const VM_PLAYBOOK = testPlaybook('test-vm', 'azure', [
  { action: 'quarantine-vm' },
  { action: 'snapshot-disks' },
  { action: 'update-alert' },
  { action: 'open-clock' },
]);
