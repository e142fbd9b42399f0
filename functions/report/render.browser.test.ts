import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { renderReport } from './render.js';
import type { ReportModel } from './model.js';
import { sampleReportModel } from '../../test/support/report/sample-model.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
/** Where the screenshot lands for people to look at (CI can keep it as an artifact). */
const OUT = process.env.CORDON_SCREENSHOT_DIR ?? join(tmpdir(), 'cordon-report');

const SUB = '/subscriptions/3f2b8c1e-7a4d-4e9b-9c1f-2d3e4f5a6b7c/resourceGroups/rg-prod-westeurope-workloads';
const VM = `${SUB}/providers/Microsoft.Compute/virtualMachines/vm-payments-api-01`;

/**
 * The sample tabletop plus an Azure VM incident whose evidence carries full ARM ids (the ids that used to
 * squeeze the evidence `Id` column to one character and stretch the page to 21,626 px).
 */
function defaultReportWithAzureEvidence(): ReportModel {
  const model = sampleReportModel();
  const first = model.incidents[0]!;
  model.incidents.push({
    ...first,
    id: 'inc-0a9b8c7d6e5f4a3b',
    playbook: 'azure-vm-compromise',
    finding: { ...first.finding, id: `${SUB}/providers/Microsoft.Security/locations/westeurope/alerts/2518301299999999999_0a1b2c3d`, source: 'defender', cloud: 'azure', type: 'VM_SuspiciousScreenSaver', account: '3f2b8c1e-7a4d-4e9b-9c1f-2d3e4f5a6b7c', region: 'westeurope', resources: [{ type: 'Microsoft.Compute/virtualMachines', id: VM, tags: {} }] },
    steps: [],
    clocks: [],
    evidence: ['osdisk', 'datadisk-0', 'datadisk-1'].map((disk, i) => ({
      kind: 'disk-snapshot',
      id: `${SUB}/providers/Microsoft.Compute/snapshots/cordon-inc-0a9b8c7d6e5f4a3b-vm-payments-api-01-${disk}`,
      of: `${SUB}/providers/Microsoft.Compute/disks/vm-payments-api-01_${disk}_1f2e3d4c5b6a79880a1b2c3d4e5f6071`,
      takenAt: `2024-03-30T22:20:0${i}.000Z`,
      tags: { 'cordon:incident': 'inc-0a9b8c7d6e5f4a3b', 'cordon:source-disk': `${SUB}/providers/Microsoft.Compute/disks/vm-payments-api-01_${disk}` },
    })),
  });
  return model;
}

/**
 * Runs in the page (the project compiles without DOM types, so it is page-side source): for every cell of
 * every Evidence table, its content width and the rendered width of its shortest word — a word being what
 * sits between spaces and line breaks, or after an id's `/` or a tag's `=` (where the report lets it break).
 */
const MEASURE_EVIDENCE_CELLS = `(() => {
  const out = [];
  const probe = document.createElement('span');
  probe.style.cssText = 'position:absolute;visibility:hidden;white-space:nowrap';
  document.body.appendChild(probe);
  const tables = Array.from(document.querySelectorAll('h3')).filter((h) => h.textContent === 'Evidence').map((h) => h.nextElementSibling);
  for (const table of tables) {
    for (const td of Array.from(table ? table.querySelectorAll('td') : [])) {
      const style = getComputedStyle(td);
      const inner = td.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
      const words = td.innerText.split(/\\s+|(?<=[/=])/).filter((w) => w.length > 0);
      probe.style.font = getComputedStyle(td.querySelector('code') || td).font;
      const widths = words.map((w) => { probe.textContent = w; return probe.getBoundingClientRect().width; });
      out.push({ text: td.textContent || '', width: inner, shortest: Math.min(...widths) });
    }
  }
  probe.remove();
  return out;
})()`;

describe('after-action report in headless Chromium', () => {
  it.skipIf(!existsSync(CHROMIUM))('lays out long ARM ids: reasonable page height, no evidence cell narrower than its shortest word', async () => {
    const { html } = renderReport(defaultReportWithAzureEvidence());
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    try {
      const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
      await page.setContent(html, { waitUntil: 'load' });
      const height = await page.evaluate<number>('document.documentElement.scrollHeight');
      // Three incidents, one with three ARM-id snapshots: a few screens, not the 21,626 px of vertical strips.
      expect(height).toBeLessThan(7000);
      const cells = await page.evaluate<{ text: string; width: number; shortest: number }[]>(MEASURE_EVIDENCE_CELLS);
      expect(cells.length).toBeGreaterThan(15);
      expect(cells.filter((c) => c.width + 0.5 < c.shortest)).toEqual([]);
      mkdirSync(OUT, { recursive: true });
      const png = await page.screenshot({ fullPage: true, path: join(OUT, 'after-action-report-azure.png') });
      expect(png.length).toBeGreaterThan(20_000);
    } finally {
      await browser.close();
    }
  });


  it.skipIf(!existsSync(CHROMIUM))('renders the page with its timeline, requests nothing, and screenshots it', async () => {
    const { html } = renderReport(sampleReportModel());
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    try {
      const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
      const requests: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.setContent(html, { waitUntil: 'load' });

      expect(await page.title()).toContain('Cordon after-action report');
      const chart = page.locator('svg[role="img"]');
      const box = await chart.boundingBox();
      expect(box?.width).toBeGreaterThan(600);
      expect(await chart.locator('rect[rx="3"]').count()).toBe(5);
      expect(await page.locator('mark.todo').count()).toBeGreaterThan(4);
      expect(await page.locator('section.incident').count()).toBe(2);
      expect(requests.filter((u) => !u.startsWith('about:') && !u.startsWith('data:'))).toEqual([]);
      expect(errors).toEqual([]);

      mkdirSync(OUT, { recursive: true });
      const png = await page.screenshot({ fullPage: true, path: join(OUT, 'after-action-report.png') });
      expect(png.length).toBeGreaterThan(20_000);
      writeFileSync(join(OUT, 'after-action-report.html'), html);
    } finally {
      await browser.close();
    }
  });
});
