import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { renderReport } from './render.js';
import { sampleReportModel } from '../../test/support/report/sample-model.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
/** Where the screenshot lands for people to look at (CI can keep it as an artifact). */
const OUT = process.env.CORDON_SCREENSHOT_DIR ?? join(tmpdir(), 'cordon-report');

describe('after-action report in headless Chromium', () => {
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
