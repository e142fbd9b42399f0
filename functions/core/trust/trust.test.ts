import { describe, expect, it } from 'vitest';
import { finding, instance, resource } from '../../../test/support/findings.js';
import { assessTrust, DEFAULT_TRUST, producerOf, targetScopeProblem, type TrustSettings } from './trust.js';

const HUB = (product: string, region = 'eu-west-1') => `arn:aws:securityhub:${region}::product/aws/${product}`;

describe('assessTrust: only the product ARN identifies a Security Hub producer', () => {
  it('trusts the AWS-owned products on the list, in any region and partition', () => {
    for (const arn of [HUB('guardduty'), HUB('securityhub', 'us-east-1'), HUB('inspector'), HUB('macie'), 'arn:aws-us-gov:securityhub:us-gov-west-1::product/aws/guardduty']) {
      expect(assessTrust({ source: 'securityhub', productArn: arn }, DEFAULT_TRUST)).toMatchObject({ trusted: true });
    }
  });

  it("refuses a customer's own product (the account's `default`), whatever it calls itself", () => {
    const custom = 'arn:aws:securityhub:eu-west-1:111122223333:product/111122223333/default';
    const verdict = assessTrust({ source: 'securityhub', productArn: custom }, DEFAULT_TRUST);
    expect(verdict.trusted).toBe(false);
    expect(verdict.reason).toMatch(/not AWS-owned.*ProductName and CompanyName are set by the importer/);
    // A GuardDuty finding recovered from a relay is judged by the relay's ARN, not by its recovered source.
    expect(assessTrust({ source: 'guardduty', productArn: custom }, DEFAULT_TRUST).trusted).toBe(false);
  });

  it('refuses look-alikes: an account in the ARN, a partner product, an AWS product not on the list', () => {
    for (const arn of [
      'arn:aws:securityhub:eu-west-1:111122223333:product/aws/guardduty',
      'arn:aws:securityhub:eu-west-1::product/crowdstrike/crowdstrike-falcon',
      'arn:aws:securityhub:eu-west-1::product/aws/guardduty/extra',
      HUB('health'),
    ]) {
      expect(assessTrust({ source: 'securityhub', productArn: arn }, DEFAULT_TRUST).trusted, arn).toBe(false);
    }
  });

  it('Security Hub V2 (OCSF) product ARNs are judged the same way: productv2/aws/NAME without an account is AWS-owned', () => {
    expect(assessTrust({ source: 'ocsf', productArn: 'arn:aws:securityhub:us-east-1::productv2/aws/guardduty' }, DEFAULT_TRUST).trusted).toBe(true);
    for (const arn of ['arn:aws:securityhub:us-east-1:111122223333:productv2/111122223333/default', 'arn:aws:securityhub:us-east-1::productv3/aws/guardduty', 'arn:aws:securityhub:us-east-1::productv/aws/guardduty']) {
      expect(assessTrust({ source: 'ocsf', productArn: arn }, DEFAULT_TRUST).trusted, arn).toBe(false);
    }
    // An OCSF finding with no product ARN names no producer Cordon can verify.
    expect(assessTrust({ source: 'ocsf' }, DEFAULT_TRUST).trusted).toBe(false);
  });

  it('the list is configurable', () => {
    const settings: TrustSettings = { trustedProducts: ['guardduty'] };
    expect(assessTrust({ source: 'securityhub', productArn: HUB('inspector') }, settings)).toMatchObject({ trusted: false, reason: expect.stringMatching(/inspector is not on the trusted list/) });
  });

  it('first-party channels: GuardDuty events and Defender alerts re-read at the edge', () => {
    expect(assessTrust({ source: 'guardduty' }, DEFAULT_TRUST).trusted).toBe(true);
    expect(assessTrust({ source: 'defender' }, DEFAULT_TRUST).trusted).toBe(true);
    expect(producerOf({ source: 'guardduty' })).toBe('aws/guardduty');
    expect(producerOf({ source: 'securityhub', productArn: HUB('macie') })).toBe(HUB('macie'));
  });
});

describe('targetScopeProblem: the finding names where Cordon may act, and nothing outside', () => {
  const f = finding();
  it('a resource in another account than the finding', () => {
    expect(targetScopeProblem(instance('i-01', {}, '444455556666'), f, DEFAULT_TRUST)).toMatch(/in account 444455556666, not the finding's 111122223333/);
    expect(targetScopeProblem(instance('i-01'), f, DEFAULT_TRUST)).toBeUndefined();
  });

  it('a finding whose account is not 12 digits acts nowhere (no role to assume means no fallback to our own)', () => {
    expect(targetScopeProblem(resource('AwsIamRole', 'arn:aws:iam::cordon:role/x'), finding({ account: 'cordon' }), DEFAULT_TRUST)).toMatch(/not a 12-digit/);
  });

  it("Cordon's own account, its own roles, protected principals", () => {
    const own: TrustSettings = { ...DEFAULT_TRUST, ownAccount: '999988887777' };
    expect(targetScopeProblem(instance('i-01', {}, '999988887777'), finding({ account: '999988887777' }), own)).toMatch(/Cordon's own security account/);
    const role = (name: string) => resource('AwsIamRole', `arn:aws:iam::111122223333:role/${name}`);
    expect(targetScopeProblem(role('CordonResponder'), f, DEFAULT_TRUST)).toMatch(/Cordon's own principals/);
    expect(targetScopeProblem(role('OrganizationAccountAccessRole'), f, DEFAULT_TRUST)).toMatch(/protected principal/);
    expect(targetScopeProblem(role('ops/BreakGlass-Admin'), f, DEFAULT_TRUST)).toMatch(/protected principal/);
    expect(targetScopeProblem(role('SecurityAdmin'), f, DEFAULT_TRUST)).toBeUndefined();
    expect(targetScopeProblem(role('SecurityAdmin'), f, { ...DEFAULT_TRUST, protectedPrincipals: ['Security*'] })).toMatch(/protected principal/);
    expect(targetScopeProblem(role('app-role'), f, DEFAULT_TRUST)).toBeUndefined();
  });

  it('the allowed lists: accounts, subscriptions, tenants, protected users', () => {
    expect(targetScopeProblem(instance('i-01'), f, { ...DEFAULT_TRUST, allowedAccounts: ['444455556666'] })).toMatch(/not on the allowed list \(CORDON_ACCOUNTS\)/);
    const vm = resource('Microsoft.Compute/virtualMachines', '/subscriptions/sub-a/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1');
    const az = finding({ cloud: 'azure', source: 'defender', account: 'sub-a' });
    expect(targetScopeProblem(vm, az, DEFAULT_TRUST)).toBeUndefined();
    expect(targetScopeProblem(vm, az, { ...DEFAULT_TRUST, allowedSubscriptions: ['sub-b'] })).toMatch(/CORDON_SUBSCRIPTIONS/);
    expect(targetScopeProblem(vm, { ...az, account: 'sub-b' }, DEFAULT_TRUST)).toMatch(/in subscription sub-a, not the finding's sub-b/);
    const user = { ...resource('Microsoft.Graph/users', '7f3c0000-0000-0000-0000-000000000001'), details: { userPrincipalName: 'admin@contoso.com' } };
    const idf = finding({ cloud: 'azure', source: 'defender', account: 'tenant-1' });
    expect(targetScopeProblem(user, idf, { ...DEFAULT_TRUST, protectedUsers: ['ADMIN@contoso.com'] })).toMatch(/protected list/);
    expect(targetScopeProblem(user, idf, { ...DEFAULT_TRUST, allowedTenants: ['tenant-2'] })).toMatch(/CORDON_TENANTS/);
    expect(targetScopeProblem(user, idf, { ...DEFAULT_TRUST, allowedTenants: ['tenant-1'] })).toBeUndefined();
  });
});
