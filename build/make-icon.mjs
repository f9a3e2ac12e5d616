// Renders build/icons/icon.svg to the 512x512 icon.png electron-builder uses, with headless Chromium
// (Debian's /usr/bin/chromium, or CHROMIUM_PATH). The PNG is committed, so packing never needs a
// browser; rerun this only after editing the SVG.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const svgUrl = new URL('icons/icon.svg', import.meta.url).href;
const png = fileURLToPath(new URL('icons/icon.png', import.meta.url));
const profile = mkdtempSync(join(tmpdir(), 'pruneflow-icon-'));
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  viewport: { width: 512, height: 512 },
});
try {
  const page = await browser.newPage();
  await page.goto(svgUrl);
  await page.screenshot({ path: png, omitBackground: true, clip: { x: 0, y: 0, width: 512, height: 512 } });
  console.log(`wrote ${png}`);
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
}
