import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { GetAccessKeyLastUsedCommand, ListRoleTagsCommand, ListUserTagsCommand } from '@aws-sdk/client-iam';
import { GetBucketTaggingCommand } from '@aws-sdk/client-s3';
import type { LiveTags } from '../../core/trust/live-check.js';
import type { StepInput } from '../../../workflows/input.js';
import type { AwsClients } from './clients.js';
import { accessKeyIdOf, bucketNameOf, instanceIdOf, roleNameOf, userNameOf } from './targets.js';

type TagList = readonly { Key?: string | undefined; Value?: string | undefined }[] | undefined;
const tagsOf = (list: TagList): Record<string, string> => Object.fromEntries((list ?? []).flatMap((t) => (t.Key === undefined ? [] : [[t.Key, t.Value ?? '']])));

/** The SDK's name for an error (modeled exceptions) or its wire code. */
const codeOf = (e: unknown): string | undefined => (typeof e === 'object' && e !== null ? ((e as { Code?: string; name?: string }).Code ?? (e as { name?: string }).name) : undefined);

/**
 * Reads a step target's tags from AWS as they are now, through the same clients the action uses
 * (the responder role in the target account). Throws when AWS does not answer; the engine treats
 * that as unreadable (engine/live-check.ts). The permissions are in each action's catalog entry.
 */
export async function readAwsLiveTags(clients: AwsClients, input: Pick<StepInput, 'target'>): Promise<LiveTags> {
  try {
    return await readTags(clients, input);
  } catch (e) {
    // The target is gone (or never was): nothing to protect; the action says NotFound itself.
    const code = codeOf(e);
    if (code !== undefined && NOT_FOUND.has(code)) return { kind: 'missing', why: `${code}: ${(e as Error).message}` };
    throw e;
  }
}

const NOT_FOUND = new Set(['InvalidInstanceID.NotFound', 'NoSuchEntity', 'NoSuchEntityException', 'NoSuchBucket']);

async function readTags(clients: AwsClients, input: Pick<StepInput, 'target'>): Promise<LiveTags> {
  const { type, id } = input.target;
  switch (type) {
    case 'AwsEc2Instance': {
      const out = await clients.ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceIdOf(id)] }));
      const instance = out.Reservations?.[0]?.Instances?.[0];
      if (!instance) return { kind: 'unreadable', problem: `DescribeInstances returned no instance ${instanceIdOf(id)}` };
      return { kind: 'tags', tags: tagsOf(instance.Tags), via: 'ec2:DescribeInstances' };
    }
    case 'AwsIamRole':
      return { kind: 'tags', tags: await iamTags((Marker) => clients.iam.send(new ListRoleTagsCommand({ RoleName: roleNameOf(id), Marker }))), via: 'iam:ListRoleTags' };
    case 'AwsIamUser':
      return { kind: 'tags', tags: await userTags(clients, userNameOf(id)), via: 'iam:ListUserTags' };
    case 'AwsIamAccessKey': {
      // A key has no tags of its own: its owner's tags decide.
      const owner = (await clients.iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: accessKeyIdOf(id) }))).UserName;
      if (!owner) return { kind: 'unreadable', problem: `no IAM user owns access key ${accessKeyIdOf(id)}` };
      return { kind: 'tags', tags: await userTags(clients, owner), via: `iam:ListUserTags (key owner ${owner})` };
    }
    case 'AwsS3Bucket':
      try {
        const out = await clients.s3.send(new GetBucketTaggingCommand({ Bucket: bucketNameOf(id) }));
        return { kind: 'tags', tags: tagsOf(out.TagSet), via: 's3:GetBucketTagging' };
      } catch (e) {
        // S3 answers a bucket without tags with an error, not an empty set.
        if (codeOf(e) === 'NoSuchTagSet') return { kind: 'tags', tags: {}, via: 's3:GetBucketTagging' };
        throw e;
      }
    case 'AwsAccount':
      // An account's tags live in AWS Organizations, readable from the management account only; CORDON_ACCOUNTS decides instead.
      return { kind: 'untagged', why: 'account tags are held by AWS Organizations; the allowed-accounts list guards accounts' };
    default:
      return { kind: 'unreadable', problem: `Cordon reads no live tags for a ${type}` };
  }
}

function userTags(clients: AwsClients, userName: string): Promise<Record<string, string>> {
  return iamTags((Marker) => clients.iam.send(new ListUserTagsCommand({ UserName: userName, Marker })));
}

async function iamTags(page: (marker: string | undefined) => Promise<{ Tags?: TagList; IsTruncated?: boolean | undefined; Marker?: string | undefined }>): Promise<Record<string, string>> {
  const tags: Record<string, string> = {};
  let marker: string | undefined;
  do {
    const out = await page(marker);
    Object.assign(tags, tagsOf(out.Tags));
    marker = out.IsTruncated ? out.Marker : undefined;
  } while (marker);
  return tags;
}
