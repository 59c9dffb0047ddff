/**
 * The roofline panel's "Cost by module" section (id `cost-tree`): the report's cost tree
 * (media/src/cost-tree-dom.ts), collapsible, between the chart and the per-op-type table. Redrawn on every
 * report; the modules the user opened (and whether the section is open) are kept across redraws, so a chip
 * or bindings change updates the numbers in place of the user's view. A click on a name posts the panel's
 * usual 'reveal' message.
 */
import { el } from './dom';
import { COST_TREE_NOTE, costTreeElement } from './cost-tree-dom';
import type { ReportLike } from './report-types';

const SECTION_ID = 'cost-tree';
/** Modules the user opened (by path); null until the first draw opens the model's row. */
let opened: Set<string> | null = null;
let sectionOpen = true;

/** Draws (or redraws) the section inside `body`, before the per-op-type table when there is one. */
export function drawCostTree(body: HTMLElement, report: ReportLike, reveal: (nodeId: string) => void): void {
  let section = body.querySelector<HTMLElement>(`#${SECTION_ID}`);
  if (!section) {
    section = el('section');
    section.id = SECTION_ID;
    body.insertBefore(section, body.querySelector('#op-types'));
  }
  const root = report.costTree;
  const details = el('details', undefined, 'rp-tree-section');
  details.open = sectionOpen;
  details.addEventListener('toggle', () => {
    sectionOpen = details.open;
  });
  const summary = el('summary');
  summary.appendChild(el('h2', 'Cost by module'));
  details.appendChild(summary);
  if (!root) {
    details.appendChild(el('p', 'No cost tree: the model has no costed ops on this chip.', 'rp-note'));
  } else {
    opened ??= new Set([root.path]);
    const open = opened;
    details.append(
      el('p', COST_TREE_NOTE, 'rp-note'),
      costTreeElement(root, {
        onReveal: reveal,
        open,
        onToggle: (path, isOpen) => {
          if (isOpen) open.add(path);
          else open.delete(path);
        },
      }),
    );
  }
  section.replaceChildren(details);
}
