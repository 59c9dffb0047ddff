/**
 * Driving the VS Code workbench (code-server in Debian's chromium through playwright-core): open it,
 * run palette commands, open files from the explorer, find and hover words in the editor, read
 * notifications, take screenshots. The retries follow E2E.md's pitfalls: the palette is closed and
 * reopened until contributed commands show up, hovers are retried by moving away and back.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Browser, chromium, Locator, Page } from 'playwright-core';
import type { DomElement, DomNode } from './dom';
import { retry, waitUntil } from './retry';

export const CHROMIUM = process.env.RIDGEPOINT_CHROMIUM ?? '/usr/bin/chromium';

/** Debian's chromium, headless. HOME/XDG point into `home` so it writes nothing into the real home. */
export function launchChromium(home: string): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    env: { ...process.env, HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), XDG_CACHE_HOME: path.join(home, '.cache') },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export interface Workbench {
  readonly page: Page;
  /** Uncaught page errors. */
  readonly errors: string[];
  /** Console errors and warnings of the workbench (the renderer's log: extension manifest problems show here). */
  readonly console: string[];
  close(): Promise<void>;
}

/** A fresh browser context with the workbench loaded and the explorer showing the workspace. */
export async function openWorkbench(browser: Browser, url: string, timeout = 60_000): Promise<Workbench> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, deviceScaleFactor: 1 });
  // tsx compiles with keepNames: a named inner function in an evaluate() body would call __name.
  await context.addInitScript('globalThis.__name = globalThis.__name || ((f) => f);');
  const page = await context.newPage();
  const errors: string[] = [];
  const messages: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') messages.push(`${m.type()}: ${m.text()}`);
  });
  // code-server redirects / to /?folder=<the folder on its command line>
  await page.goto(url, { timeout });
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout });
  await page.locator('.explorer-folders-view').waitFor({ state: 'visible', timeout });
  return { page, errors, console: messages, close: () => context.close() };
}

/** Waits for `locator` to be visible. */
export function visible(locator: Locator, timeout = 20_000): Promise<void> {
  return locator.first().waitFor({ state: 'visible', timeout });
}

/** The innerText of the first visible match ('' when none is visible). */
export async function visibleText(locator: Locator): Promise<string> {
  const n = await locator.count();
  for (let i = 0; i < n; i++) {
    const item = locator.nth(i);
    if (await item.isVisible()) return await item.innerText();
  }
  return '';
}

/** The palette's rows matching `title`, once the palette shows them (close and reopen until then: pitfall 1). */
export async function openPaletteAt(page: Page, title: string | RegExp, timeout = 30_000): Promise<Locator> {
  const input = page.locator('.quick-input-widget input');
  const query = typeof title === 'string' ? title : '';
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
  await retry(
    async () => {
      if (await input.isVisible()) await page.keyboard.press('Escape');
      await page.keyboard.press('F1');
      // A short fill timeout, so a palette that did not open (F1 taken before the workbench had focus) is retried with F1.
      await input.fill(`>${query}`, { timeout: 3_000 });
      await row.waitFor({ state: 'visible', timeout: 2_000 });
    },
    { timeout, message: `palette entry ${String(title)}` },
  );
  return row;
}

/** Runs a command from the palette by its title. */
export async function runCommand(page: Page, title: string | RegExp, timeout = 30_000): Promise<void> {
  // Open and click as one attempt: the palette can close between the two (an editor opening or a lens
  // refresh takes focus), and a click on a closed palette would wait out the whole timeout.
  await retry(
    async () => {
      const row = await openPaletteAt(page, title, 10_000);
      await row.click({ timeout: 3_000 });
    },
    { timeout, message: `run ${String(title)} from the palette` },
  );
}

/** Opens a file of the workspace root from the explorer (double click: a pinned editor). */
export async function openFromExplorer(page: Page, name: string, timeout = 20_000): Promise<void> {
  const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: name }).first();
  await visible(row, timeout);
  await row.dblclick();
}

/** The active editor tab's title text. */
export function activeTab(page: Page): Locator {
  return page.locator('.tabs-container .tab.active');
}

/** The text editor's rendered lines (only the visible ones exist in the DOM). */
export function editorLines(page: Page): Locator {
  return page.locator('.editor-instance .monaco-editor .view-lines').first();
}

export interface LineMatch {
  /** Viewport point at the middle of the matched text. */
  readonly x: number;
  readonly y: number;
  /** The whole rendered line. */
  readonly line: string;
  /** The rendered token spans of the line: text and class (mtk<n> per token colour). */
  readonly tokens: ReadonlyArray<{ readonly text: string; readonly className: string }>;
  /** The class of the span holding the start of the match. */
  readonly className: string;
}

/**
 * Finds the first rendered editor line matching `pattern` and the viewport position of capture
 * group `group` (0: the whole match) in it, through a DOM Range (a token is not always its own span).
 */
export async function findInEditor(page: Page, pattern: RegExp, group = 0): Promise<LineMatch | null> {
  const lines = editorLines(page);
  if ((await lines.count()) === 0) return null;
  return lines.evaluate(
    (root: unknown, arg: { source: string; flags: string; group: number }): LineMatch | null => {
      const el = root as DomElement;
      const doc = el.ownerDocument;
      const re = new RegExp(arg.source, arg.flags.replace('g', ''));
      const rows = el.querySelectorAll('.view-line');
      const ordered: DomElement[] = [];
      for (let i = 0; i < rows.length; i++) ordered.push(rows[i]);
      ordered.sort((a, b) => a.getBoundingClientRect().y - b.getBoundingClientRect().y);
      for (const row of ordered) {
        const walker = doc.createTreeWalker(row, 4 /* NodeFilter.SHOW_TEXT */);
        const nodes: Array<{ node: DomNode; start: number }> = [];
        let text = '';
        for (let n = walker.nextNode(); n; n = walker.nextNode()) {
          nodes.push({ node: n, start: text.length });
          text += (n.textContent ?? '').replace(/\u00a0/g, ' ');
        }
        const m = re.exec(text);
        if (!m) continue;
        const part = m[arg.group] ?? m[0];
        const start = m.index + m[0].indexOf(part);
        const end = start + part.length;
        const range = doc.createRange();
        let startClass = '';
        for (const { node, start: s } of nodes) {
          const len = (node.textContent ?? '').length;
          if (start >= s && start < s + len) {
            range.setStart(node, start - s);
            startClass = node.parentElement?.className ?? '';
          }
          if (end > s && end <= s + len) range.setEnd(node, end - s);
        }
        const box = range.getBoundingClientRect();
        const tokens: Array<{ text: string; className: string }> = [];
        const spans = row.querySelectorAll('span > span');
        for (let i = 0; i < spans.length; i++) tokens.push({ text: (spans[i].textContent ?? '').replace(/\u00a0/g, ' '), className: spans[i].className });
        return { x: box.x + box.width / 2, y: box.y + box.height / 2, line: text, tokens, className: startClass };
      }
      return null;
    },
    { source: pattern.source, flags: pattern.flags, group },
  );
}

/** Waits until a rendered editor line matches `pattern`. */
export function waitForEditorText(page: Page, pattern: RegExp, timeout = 30_000, group = 0): Promise<LineMatch> {
  return waitUntil(() => findInEditor(page, pattern, group), { timeout, message: `editor line matching ${pattern}` });
}

/**
 * Scrolls the active editor down until a line matching `pattern` is rendered inside it (models can
 * have long initializer lists before their first node); returns where it is.
 */
export async function revealInEditor(page: Page, pattern: RegExp, group = 0, timeout = 30_000): Promise<LineMatch> {
  const editor = page.locator('.editor-instance .monaco-editor .monaco-scrollable-element').first();
  let scrolled = 0;
  return waitUntil(
    async () => {
      const box = await editor.boundingBox();
      const at = await findInEditor(page, pattern, group);
      if (box && at && at.y > box.y && at.y < box.y + box.height - 20) return at;
      if (!box || scrolled > 200) return false;
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.mouse.wheel(0, box.height / 2);
      scrolled++;
      return false;
    },
    { timeout, message: `editor line matching ${pattern} (scrolled ${scrolled} times)` },
  );
}

/** The hover widget that is showing. */
export function hoverWidget(page: Page): Locator {
  return page.locator('.monaco-hover-content').filter({ visible: true }).first();
}

/**
 * Hovers the text at `pattern` (group `group`) until the hover shows text passing `accept`; returns
 * that text. Each round moves the mouse away and back (pitfall 2: the first hover may come before
 * the language server answers).
 */
export async function hoverUntil(page: Page, pattern: RegExp, group: number, accept: (text: string) => boolean, timeout = 45_000): Promise<string> {
  const hover = hoverWidget(page);
  let last = '';
  return retry(
    async () => {
      await page.mouse.move(5, 5);
      const at = await findInEditor(page, pattern, group);
      if (!at) throw new Error(`no editor line matches ${pattern}`);
      await page.mouse.move(at.x, at.y, { steps: 2 });
      await hover.waitFor({ state: 'visible', timeout: 3_000 });
      // the hover renders in parts (the word's range, then the language server's answer): poll its text a little
      return waitUntil(
        async () => {
          last = await hover.innerText().catch(() => '');
          return accept(last) ? last : false;
        },
        { timeout: 3_000, message: 'hover text accepted' },
      );
    },
    { timeout, message: `hover over ${pattern}` },
  ).catch((e: unknown) => {
    throw new Error(`${e instanceof Error ? e.message : String(e)}; last hover text: ${JSON.stringify(last)}`);
  });
}

/** Notification toasts whose message matches `text`. */
export function toast(page: Page, text: string | RegExp): Locator {
  return page.locator('.notifications-toasts .notification-list-item', { hasText: text });
}

/** The texts of all notification toasts showing. */
export async function toastTexts(page: Page): Promise<string[]> {
  return page.locator('.notifications-toasts .notification-list-item-message').allInnerTexts();
}

/** The status bar's entries: id attribute and text. */
export async function statusBarItems(page: Page): Promise<Array<{ id: string; text: string }>> {
  // One read in the page: the status bar re-renders as profiles arrive, and counting then reading item
  // by item can wait on an item that has just gone.
  return page.locator('.statusbar-item').evaluateAll((items) => items.map((item) => ({ id: item.id, text: ((item as unknown as { innerText?: string }).innerText ?? '').trim() })));
}

/** A screenshot with CSS transitions run to their end (a notification toast fades in). */
export async function screenshot(page: Page, file: string): Promise<void> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await page.screenshot({ path: file, animations: 'disabled' });
}
