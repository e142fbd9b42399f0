import { describe, expect, it } from 'vitest';
import { renderReport } from './render.js';
import { sampleReportModel } from '../../test/support/report/sample-model.js';

describe('after-action report', () => {
  const { markdown, html } = renderReport(sampleReportModel());

  it('shows the run, what was contained, the evidence and the clocks', () => {
    for (const text of [
      'inc-4f3c2b1a09876543',
      'aws-ec2-compromise',
      'quarantine-instance on arn:aws:ec2:us-east-1:123456789012:instance/i-99999999',
      'snap-0a1b2c3d4e5f60718',
      'ec2:CreateSnapshots',
      '2024-04-02 22:20:00 UTC',
      'open, 23 h 59 min left',
      '14 records',
    ]) {
      expect(markdown).toContain(text);
      expect(html).toContain(text);
    }
    expect(markdown).toContain('block-s3-public-access failed (Transient)');
    expect(markdown).toContain('2 incident(s); 4 step(s) succeeded, 1 failed, 0 skipped; 1 escalated; 1 foothold(s) open; 4 clock(s) open, 1 missed');
  });

  it("shows each clock's outcome, the reminders that fired and the breach register entry", () => {
    for (const doc of [markdown, html]) {
      // The clock watch recorded the deadline missed (in a tabletop, in the exercise's time): missed, not "left".
      expect(doc).toContain('MISSED — deadline 2024-04-02 22:20:00 UTC passed with no notification recorded');
      expect(doc).toContain('4 h before (2024-04-02 18:20:00 UTC)');
      expect(doc).toContain('closed not notifiable by ciso@example.eu at 2024-03-31 08:00:00 UTC — rationale: a test host with no service to others: not a significant incident');
      expect(doc).toContain('Breach register (GDPR Art. 33(5)):');
      expect(doc).toContain('notifiable — personal data yes; decided by cordon');
      expect(doc).toContain('NIS2 Art. 23(4)(a) early warning (draft)');
    }
    expect(html).toContain('<span class="overdue">MISSED');
    // The twin: without the recorded miss, the same clock at a time before its deadline is open.
    const model = sampleReportModel();
    const clock = model.incidents[1]?.clocks[2];
    if (!clock) throw new Error('sample model has no NIS2 notification clock');
    delete clock.missedAt;
    const twin = renderReport(model).markdown;
    expect(twin).not.toContain('MISSED');
    expect(twin).toContain('open, 2 d 23 h left');
  });

  it('pre-fills the GDPR Art. 33(3) draft and marks what only the DPO can know', () => {
    for (const doc of [markdown, html]) {
      expect(doc).toContain('(a) Nature of the personal data breach');
      expect(doc).toContain('(b) Data protection officer or other contact point');
      expect(doc).toContain('(c) Likely consequences of the breach');
      expect(doc).toContain('(d) Measures taken or proposed');
      expect(doc).toContain('[TO BE COMPLETED BY DPO: name and contact details of the DPO or other contact point]');
      expect(doc).toContain('customer names, e-mail addresses, order history');
      expect(doc).toContain('about 120,000');
      expect(doc).toContain('Became aware: 2024-03-30 22:20:00 UTC');
    }
    expect(html).toContain('<mark class="todo">[TO BE COMPLETED BY DPO: approximate number of data subjects]</mark>');
    const withDpo = renderReport({ ...sampleReportModel(), dpo: { name: 'Jane Roe', contact: 'dpo@example.eu' } });
    expect(withDpo.markdown).toContain('Jane Roe, dpo@example.eu');
    expect(withDpo.markdown).not.toContain('name and contact details of the DPO');
  });

  it('draws the steps on a timeline chart inside the page, with nothing loaded from outside', () => {
    expect(html).toMatch(/<svg [^>]*role="img"/);
    expect(html.match(/<rect [^>]*rx="3"/g)).toHaveLength(5);
    // The SVG namespace is a name, not a fetch; anything else pointing outside would be.
    expect(html.replace('xmlns="http://www.w3.org/2000/svg"', '')).not.toMatch(/<script|<link|src=|url\(|@import|https?:\/\//i);
  });

  it('escapes every finding-derived string', () => {
    const model = sampleReportModel();
    const evil = '<img src=x onerror=alert(1)>"\'&';
    const first = model.incidents[0];
    if (!first) throw new Error('sample model has no incident');
    first.finding.title = evil;
    first.finding.type = evil;
    first.finding.resources = [{ type: 'AwsEc2Instance', id: evil, tags: {} }];
    first.steps = first.steps.map((s) => ({ ...s, target: { ...s.target, id: evil }, reason: evil }));
    first.evidence = [{ kind: 'ebs-snapshot', id: evil, of: evil, takenAt: '2024-03-30T22:20:01.290Z', tags: { [evil]: evil } }];
    const out = renderReport(model);
    expect(out.html).not.toContain('<img');
    expect(out.html).toContain('&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;');
    expect(out.markdown).not.toContain('<img');
  });
});
