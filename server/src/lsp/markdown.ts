import { sanitise } from '../cli/format';

/**
 * Model text is untrusted: a node named `<img src=x onerror=alert(1)>` or `**bold**` must show as
 * those characters, never as markup. Control characters are made visible, Markdown punctuation is
 * backslash-escaped and HTML's special characters become entities; very long names are clipped.
 */
export function mdText(text: string, max = 120): string {
  const clean = sanitise(text);
  const clipped = clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
  return clipped.replace(/[\\`*_{}[\]()#+\-.!|~]/g, (c) => `\\${c}`).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
