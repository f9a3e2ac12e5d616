import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProjectFile, saveProjectFile } from '../../core/node/project-file.js';
import { ROOT } from '../build/run.js';
import { type ServeProcess } from '../core/node/serve/serve-process.js';
import { startServeAndChromium } from '../browser/serve-and-chromium.js';
import { UI_WAIT } from '../browser/waits.js';
import { openPage, screenshot } from './browser-page.js';

// The File menu's work in the UI, through `pruneflow serve` in Chromium with the real engine: Save,
// Save As, Export, New, Resume and the recent projects; once with the page's own buttons and keys (the
// browser host) and once with the desktop shell's commands and document state (as Electron sends them).
const CLI = join(ROOT, 'dist/core/node/cli.js');
const folder = mkdtempSync(join(tmpdir(), 'pruneflow-shell-ui-'));
const interrupted = join(folder, 'interrupted.pruneflow');
/** The untrained demo CNN on a sample; 60 short fine-tuning epochs, so a resumed run lasts while the test looks. */
const prune = ['prune', '--demo', '--epochs', '0', '--fine-tune-epochs', '60', '--sample', '2000,200', '--project', interrupted];

let serve: ServeProcess;
let browser: Browser;

/** A session killed right after its first checkpoint, as a crash would leave it. */
function interruptedRun(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...prune], { env: { ...process.env, PRUNEFLOW_SETTINGS: join(folder, 'cli-settings.json') } });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
      if (stderr.includes(`epoch 1/60 saved to ${interrupted}`)) child.kill('SIGKILL');
    });
    child.on('close', (_code, signal) => (signal === 'SIGKILL' ? resolve() : reject(new Error(`the run was not interrupted:\n${stderr}`))));
  });
}

beforeAll(async () => {
  [serve, browser] = await startServeAndChromium({}, interruptedRun());
}, 120_000);

afterAll(async () => {
  await browser?.close();
  serve?.kill();
});

const heading = (page: Page) => page.getByRole('heading', { level: 1 }).textContent();
const focusedId = (page: Page) => page.evaluate('document.activeElement?.id') as Promise<string>;
const projectField = (page: Page) => page.getByRole('textbox', { name: 'Project file' });
/** Whether leaving the page now would ask first (the browser's beforeunload warning). */
const leaveAsks = (page: Page) =>
  page.evaluate(
    `(() => { const e = new Event('beforeunload', { cancelable: true }); window.dispatchEvent(e); return e.defaultPrevented; })()`,
  ) as Promise<boolean>;

async function openProject(page: Page, path: string) {
  await page.getByRole('button', { name: 'Open a project…' }).click();
  await projectField(page).fill(path);
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  await page.getByRole('table', { name: 'Sessions of the project' }).waitFor({ timeout: UI_WAIT });
}

describe('the File menu in the browser host', () => {
  it('saves, saves as (never over itself), lists recent projects, exports, resumes and starts anew', async () => {
    const { page, problems } = await openPage(browser, serve.url.href);
    // A fresh settings folder: no recent projects yet.
    expect(await page.getByRole('region', { name: 'Recent projects' }).count()).toBe(0);
    await openProject(page, interrupted);
    expect(await page.locator('.status.interrupted').count()).toBe(1);

    // Save: the file is whole and current; the status line says where and when.
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    expect(await page.getByRole('status').filter({ hasText: 'Saved to' }).textContent()).toMatch(/Saved to .*interrupted\.pruneflow at \d\d:\d\d/);

    // Ctrl+Shift+S opens Save As on its path field; over the open file itself it refuses by name.
    await page.keyboard.press('Control+Shift+S');
    await expect.poll(() => focusedId(page)).toBe('project-save-as');
    const saveAs = page.getByRole('form', { name: 'Save the project as' });
    await page.getByLabel(/^Save a copy as/).fill(interrupted);
    await saveAs.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: 'SaveOverSourceError' }).waitFor({ timeout: UI_WAIT });
    // Over another file it asks first.
    const other = join(folder, 'taken.pruneflow');
    writeFileSync(other, 'someone else');
    await page.getByLabel(/^Save a copy as/).fill(other);
    await saveAs.getByRole('button', { name: 'Save', exact: true }).click();
    const exists = page.getByRole('alert').filter({ hasText: 'That file already exists' });
    await exists.waitFor({ timeout: UI_WAIT });
    // Browsing to another file takes the question back: "Replace it" was about the file typed.
    await saveAs.getByRole('button', { name: 'Browse…' }).click();
    await page
      .getByRole('dialog', { name: 'Choose a file or folder' })
      .getByRole('button', { name: /^interrupted\.pruneflow/ })
      .click();
    expect(await page.getByLabel(/^Save a copy as/).inputValue()).toBe(interrupted);
    expect(await saveAs.getByRole('button', { name: 'Replace it' }).count()).toBe(0);
    expect(await exists.count()).toBe(0);
    await page.getByLabel(/^Save a copy as/).fill(other);
    await saveAs.getByRole('button', { name: 'Save', exact: true }).click();
    await exists.waitFor({ timeout: UI_WAIT });
    await saveAs.getByRole('button', { name: 'Replace it' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: /Saved to .*taken\.pruneflow/ })
      .waitFor({ timeout: UI_WAIT });
    expect(await projectField(page).inputValue()).toBe(other);
    expect((await loadProjectFile(other)).sessions).toHaveLength(1);
    // A second copy; the first then disappears from the disk. The form offers a name beside the open file, not the file itself.
    await page.keyboard.press('Control+Shift+S');
    expect(await page.getByLabel(/^Save a copy as/).inputValue()).toBe(join(folder, 'taken-copy.pruneflow'));
    const copy = join(folder, 'copy.pruneflow');
    await page.getByLabel(/^Save a copy as/).fill(copy);
    await page.keyboard.press('Enter');
    await expect.poll(() => projectField(page).inputValue(), { timeout: UI_WAIT }).toBe(copy);
    expect(await page.getByRole('status').filter({ hasText: 'Saved to' }).textContent()).toMatch(/Saved to .*copy\.pruneflow at \d\d:\d\d/);
    rmSync(other);
    await screenshot(page, '18-project-save-as');

    // Start lists them, newest first, the missing one marked; the keyboard opens one.
    await page.keyboard.press('Alt+1');
    const recent = page.getByRole('list', { name: 'Recent projects' });
    await recent.waitFor({ timeout: UI_WAIT });
    expect(await recent.getByRole('listitem').allInnerTexts()).toEqual([
      expect.stringMatching(/^copy\.pruneflow/),
      expect.stringMatching(/^taken\.pruneflow[\s\S]*missing$/),
      expect.stringMatching(/^interrupted\.pruneflow/),
    ]);
    expect(await recent.getByRole('button').count()).toBe(2);
    await screenshot(page, '01-start-recent');
    await recent.getByRole('button', { name: /^copy\.pruneflow/ }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => projectField(page).inputValue()).toBe(copy);
    await page.getByRole('table', { name: 'Sessions of the project' }).waitFor({ timeout: UI_WAIT });

    // Ctrl+E goes to the export (no finished session yet: its heading).
    await page.keyboard.press('Control+E');
    await expect.poll(() => focusedId(page)).toBe('export-heading');

    // Resume continues the interrupted session on the Run screen; leaving now would ask first.
    expect(await leaveAsks(page)).toBe(false);
    await page.getByRole('button', { name: /^Resume L1 norm/ }).click();
    await page.getByRole('heading', { level: 1, name: 'Run', exact: true }).waitFor({ timeout: UI_WAIT });
    expect(await page.getByRole('heading', { name: /^Session: / }).textContent()).toMatch(/^Session: .+ on the built-in sample$/);
    await page.getByRole('status').getByText('Running', { exact: true }).waitFor({ timeout: UI_WAIT });
    expect(await leaveAsks(page)).toBe(true);
    // Save As waits for the run that writes into this project: a copy now would miss the rest of its session.
    await page.keyboard.press('Control+Shift+S');
    const busy = page.getByRole('status').filter({ hasText: 'Not while the run writes to this project' });
    await busy.getByRole('button', { name: 'Dismiss' }).click();

    // New (Ctrl+Alt+N) asks first while the run goes on; Cancel keeps it, agreeing stops it and starts afresh.
    await page.keyboard.press('Control+Alt+N');
    const dialog = page.getByRole('dialog', { name: 'A pruning run is in progress.' });
    expect(await dialog.textContent()).toContain('A new project stops it; you can resume it later from its last checkpoint.');
    await screenshot(page, '19-new-while-running');
    await page.keyboard.press('Escape');
    expect(await dialog.count()).toBe(0);
    expect(await heading(page)).toBe('Run');
    await page.keyboard.press('Control+Alt+N');
    await dialog.getByRole('button', { name: 'Stop it and start anew' }).click();
    await expect.poll(() => heading(page), { timeout: UI_WAIT }).toBe('Welcome');
    expect(await page.getByRole('button', { name: /^Project/ }).count()).toBe(0);
    expect(await leaveAsks(page)).toBe(false);
    // The stopped session stays resumable in its file.
    expect((await loadProjectFile(copy)).sessions[0].record.status).not.toBe('done');

    // One run at a time: while one goes on, another project's cancelled session cannot be resumed; its button says why.
    const cancelled = join(folder, 'cancelled.pruneflow');
    const stopped = await loadProjectFile(interrupted);
    stopped.sessions[0]!.record.status = 'cancelled';
    await saveProjectFile(cancelled, stopped);
    await openProject(page, interrupted);
    await page.getByRole('button', { name: /^Resume L1 norm/ }).click();
    await page.getByRole('status').getByText('Running', { exact: true }).waitFor({ timeout: UI_WAIT });
    await page
      .getByRole('navigation', { name: 'Screens' })
      .getByRole('button', { name: /^Project/ })
      .click();
    await projectField(page).fill(cancelled);
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    await expect.poll(() => page.locator('.status.cancelled').count(), { timeout: UI_WAIT }).toBe(1);
    const blocked = page.getByRole('button', { name: /^Resume L1 norm/ });
    expect(await blocked.isDisabled()).toBe(true);
    expect(await blocked.getAttribute('title')).toMatch(/^A run is in progress/);
    expect(await heading(page)).toBe('Project');
    await page.keyboard.press('Control+Alt+N');
    await page.getByRole('dialog', { name: 'A pruning run is in progress.' }).getByRole('button', { name: 'Stop it and start anew' }).click();
    await expect.poll(() => heading(page), { timeout: UI_WAIT }).toBe('Welcome');
    expect(problems).toEqual([]);
  });
});

describe('the File menu through the desktop shell', () => {
  it('opens, saves, saves as, exports and reports what closing would stop', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    // The shell as Electron's preload exposes it: the test sends menu commands and reads the document states.
    await page.addInitScript(`
      window.__states = [];
      window.pruneflowDesktop = {
        onCommand(listener) { window.__menu = listener; return () => {}; },
        setDocumentState(state) { window.__states.push(state); },
      };
    `);
    await page.goto(serve.url.href);
    const menu = (command: object) => page.evaluate(`window.__menu(${JSON.stringify(command)})`);
    const lastState = () => page.evaluate('window.__states.at(-1)');
    const file = join(folder, 'desktop.pruneflow');
    copyFileSync(interrupted, file);

    await expect.poll(lastState).toEqual({ dirty: false, path: null });
    await menu({ type: 'open-project', path: file });
    await page.getByRole('table', { name: 'Sessions of the project' }).waitFor({ timeout: UI_WAIT });
    await expect.poll(lastState).toEqual({ dirty: false, path: file });

    // Save to its own path confirms it; a path from the Save dialog (which asked before replacing) is Save As.
    await menu({ type: 'save-project', path: file });
    await page.getByRole('status').filter({ hasText: 'Saved to' }).waitFor({ timeout: UI_WAIT });
    const saved = join(folder, 'desktop-saved-as.pruneflow');
    await menu({ type: 'save-project', path: saved });
    await expect.poll(lastState, { timeout: UI_WAIT }).toEqual({ dirty: false, path: saved });
    expect(existsSync(saved)).toBe(true);

    // File > Export focuses the export form.
    await menu({ type: 'new-project' });
    await expect.poll(() => heading(page)).toBe('Welcome');
    await menu({ type: 'open-project', path: saved });
    await page.getByRole('table', { name: 'Sessions of the project' }).waitFor({ timeout: UI_WAIT });
    await page.keyboard.press('Alt+1');
    await menu({ type: 'export-model' });
    await expect.poll(() => heading(page)).toBe('Project');
    await expect.poll(() => focusedId(page)).toBe('export-heading');

    // A resumed run makes closing a question, with the words the shell shows; its end makes it quiet again.
    await page.getByRole('button', { name: /^Resume L1 norm/ }).click();
    await expect.poll(lastState, { timeout: UI_WAIT }).toEqual({ dirty: true, path: saved, work: 'running-session' });
    await page.getByRole('button', { name: 'Pause' }).click();
    await expect.poll(lastState, { timeout: UI_WAIT }).toEqual({ dirty: true, path: saved, work: 'paused-session' });
    await menu({ type: 'new-project' });
    await page.getByRole('dialog', { name: 'A pruning run is paused.' }).getByRole('button', { name: 'Stop it and start anew' }).click();
    await expect.poll(() => heading(page), { timeout: UI_WAIT }).toBe('Welcome');
    await expect.poll(lastState).toEqual({ dirty: false, path: null });
  });
});
