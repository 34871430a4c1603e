// A PNG of a time line page, as README's docs/timeline.png was made:
//
//   npx sockcall compare --html c.html examples/program1.py examples/program1.ts
//   node --import tsx scripts/timeline-screenshot.ts c.html docs/timeline.png [WIDTH] [light|dark]
//
// It opens the page in Debian's Chromium (/usr/bin/chromium, or $CHROMIUM)
// through playwright-core, which downloads no browser, with Chromium's own
// network traffic switched off, and takes the whole page at WIDTH pixels
// (1366, a laptop's, by default).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const [page, out, width = '1366', scheme = 'light'] = process.argv.slice(2);
if (!page || !out || (scheme !== 'light' && scheme !== 'dark')) {
  process.stderr.write('usage: node --import tsx scripts/timeline-screenshot.ts PAGE.html OUT.png [WIDTH] [light|dark]\n');
  process.exit(2);
}
const profile = mkdtempSync(path.join(tmpdir(), 'sockcall-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', headless: true,
  viewport: { width: Number(width), height: 900 }, colorScheme: scheme,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
try {
  const tab = await context.newPage();
  await tab.goto(pathToFileURL(path.resolve(page)).href);
  await tab.screenshot({ path: out, fullPage: true });
  process.stderr.write(`wrote ${out}\n`);
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
