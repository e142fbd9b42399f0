import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RESPONDER_ROLE_NAME } from './cordon-stack.js';

/**
 * A `cordon:exempt` tag stops Cordon, so the recipe that keeps workloads from setting it must say what
 * it claims: deny every way to write a `cordon:*` tag on EC2 and IAM (after and at creation) and any
 * bucket tagging, to everyone but Cordon's own roles and the named administrators.
 */
interface Statement { Effect: string; Action: string[]; Condition: Record<string, Record<string, string[]>> }
const scp = JSON.parse(readFileSync(join(import.meta.dirname, 'policies/protect-cordon-tags.scp.json'), 'utf8')) as { Statement: Statement[] };

describe('protect-cordon-tags SCP recipe', () => {
  it('denies writing cordon:* tags on EC2 and IAM resources and at their creation, and bucket tagging, except to Cordon', () => {
    const denied = scp.Statement.filter((s) => s.Effect === 'Deny').flatMap((s) => s.Action);
    for (const action of ['ec2:CreateTags', 'ec2:DeleteTags', 'iam:TagRole', 'iam:UntagRole', 'iam:TagUser', 'iam:UntagUser', 's3:PutBucketTagging', 's3:DeleteBucketTagging', 'ec2:RunInstances', 'iam:CreateRole']) {
      expect(denied).toContain(action);
    }
    for (const s of scp.Statement) {
      expect(s.Condition['ArnNotLike']?.['aws:PrincipalArn']).toContain(`arn:aws:iam::*:role/${RESPONDER_ROLE_NAME}`);
      if (!s.Action.some((a) => a.startsWith('s3:'))) expect(s.Condition['ForAnyValue:StringLike']?.['aws:TagKeys']).toEqual(['cordon:*']);
    }
  });
});
