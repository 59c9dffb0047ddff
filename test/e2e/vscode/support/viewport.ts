/**
 * "Visible without scrolling", as the real-models suite asserts it: an element's box lies inside the
 * browser window and, for editor content, inside the editor's visible text area (the part of the editor
 * that shows text, right of the gutter); nothing scrolls to bring it there.
 */
import * as assert from 'node:assert/strict';
import { Locator, Page } from 'playwright-core';
import { waitUntil } from './retry';

export interface Box {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** The smallest error a layout rounds to. */
const SLACK = 1;

function inside(box: Box, area: Box): boolean {
  return box.x >= area.x - SLACK && box.y >= area.y - SLACK && box.x + box.width <= area.x + area.width + SLACK && box.y + box.height <= area.y + area.height + SLACK;
}

function describe(box: Box): string {
  return `[x ${Math.round(box.x)}–${Math.round(box.x + box.width)}, y ${Math.round(box.y)}–${Math.round(box.y + box.height)}]`;
}

/** The window (the page's viewport) as a box. */
export function windowBox(page: Page): Box {
  const size = page.viewportSize();
  assert.ok(size, 'the page has a viewport size');
  return { x: 0, y: 0, width: size.width, height: size.height };
}

/** The active editor's visible text area (its scrollable element: right of the line numbers). */
export async function editorTextArea(page: Page): Promise<Box> {
  const area = await page.locator('.editor-instance .monaco-editor .monaco-scrollable-element').first().boundingBox();
  assert.ok(area, 'an editor is showing');
  return area;
}

/** Asserts that a box lies in the window and, when given, in `area`; `what` names it in the failure. */
export function assertBoxInViewport(page: Page, box: Box | null, what: string, area?: Box): Box {
  assert.ok(box && box.width > 0 && box.height > 0, `${what} is rendered (box ${JSON.stringify(box)})`);
  const window = windowBox(page);
  assert.ok(inside(box, window), `${what} ${describe(box)} lies inside the window ${describe(window)}`);
  if (area) assert.ok(inside(box, area), `${what} ${describe(box)} lies inside ${describe(area)} without scrolling`);
  return box;
}

/**
 * Asserts that `locator`'s first match is visible inside the window (and inside `area` when given:
 * the editor's text area for editor content), without scrolling anything; returns its box.
 */
export async function expectInViewport(locator: Locator, what: string, area?: Box): Promise<Box> {
  const first = locator.first();
  // The workbench re-renders some elements (code lenses on a refresh): wait out a moment without a box.
  const box = await waitUntil(async () => ((await first.isVisible()) ? await first.boundingBox() : null), { timeout: 10_000, message: `${what} visible with a box` });
  return assertBoxInViewport(first.page(), box, what, area);
}
