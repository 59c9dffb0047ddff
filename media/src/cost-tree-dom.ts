/**
 * The cost tree as HTML (the report page and the roofline panel): nested <details> per module, one grid row
 * per module or op with a bar for its share of the model's time, coloured by bound. No framework: a
 * module's children are built the first time it is opened, so a 5,000-op model costs a few dozen rows
 * until someone looks deeper. Every model-derived string goes through textContent.
 */
import { el } from './dom';
import { bytes, percent, seconds, si } from './format';
import type { CostTreeLike } from './report-types';

/** Rows shown under one module; the rest are summed in one row. */
export const MAX_TREE_CHILDREN = 200;

export interface CostTreeOptions {
  /** Clicking a row's name shows its costliest node (the panel); without it names are plain text (the report). */
  readonly onReveal?: (nodeId: string) => void;
  /** Paths of the modules to show open (the panel keeps what the user opened across updates); default: the model's row. */
  readonly open?: ReadonlySet<string>;
  /** Called when the user opens or closes a module. */
  readonly onToggle?: (path: string, open: boolean) => void;
}

const COLUMNS = ['Module', 'Share', 'Time', '%', 'Bound', 'FLOPs', 'Bytes'];

/** The tree under a header row; the model's row is open, its modules closed. */
export function costTreeElement(root: CostTreeLike, options: CostTreeOptions = {}): HTMLElement {
  const tree = el('div', undefined, 'rp-tree');
  tree.setAttribute('role', 'group');
  const head = el('div', undefined, 'rp-tree-row rp-tree-head');
  COLUMNS.forEach((label, i) => head.appendChild(el('span', label, i >= 2 && i !== 4 ? 'num' : undefined)));
  tree.append(head, rowElement(root, 0, options));
  return tree;
}

function rowElement(row: CostTreeLike, depth: number, options: CostTreeOptions): HTMLElement {
  if (row.children.length === 0) {
    const leaf = el('div', undefined, 'rp-tree-leaf');
    leaf.dataset.path = row.path;
    leaf.append(cells(row, depth, options, 'div'), ...noteOf(row, depth));
    return leaf;
  }
  const details = el('details');
  details.dataset.path = row.path;
  details.appendChild(cells(row, depth, options, 'summary'));
  details.append(...noteOf(row, depth));
  let built = false;
  const build = (): void => {
    if (built) return;
    built = true;
    const shown = row.children.slice(0, MAX_TREE_CHILDREN);
    const body = el('div', undefined, 'rp-tree-children');
    for (const child of shown) body.appendChild(rowElement(child, depth + 1, options));
    const rest = sumRows(row.children.slice(MAX_TREE_CHILDREN), row.more);
    if (rest.count > 0) body.appendChild(moreRow(rest, depth + 1));
    details.appendChild(body);
  };
  details.addEventListener('toggle', () => {
    if (details.open) build();
    options.onToggle?.(row.path, details.open);
  });
  if (options.open ? options.open.has(row.path) : row.kind === 'model') {
    build();
    details.open = true;
  }
  return details;
}

/** The grid cells of one row, in a <summary> (modules) or a <div> (ops). */
function cells(row: CostTreeLike, depth: number, options: CostTreeOptions, tag: 'summary' | 'div'): HTMLElement {
  const line = el(tag, undefined, `rp-tree-row rp-tree-${row.kind}`);
  line.title = `${row.path || row.name} · ${row.nodeCount} node${row.nodeCount === 1 ? '' : 's'}`;
  const onReveal = options.onReveal;
  const nodeId = row.revealNodeId;
  const name = onReveal && nodeId !== null ? el('button', row.name, 'rp-tree-name') : el('span', row.name, 'rp-tree-name');
  name.style.setProperty('--depth', String(depth));
  if (row.kind === 'op' && row.opType !== undefined && row.opType !== row.name) name.appendChild(el('span', row.opType, 'rp-tree-optype'));
  if (name instanceof HTMLButtonElement && onReveal && nodeId !== null) {
    name.type = 'button';
    name.dataset.nodeId = nodeId;
    name.title = 'Show its costliest node in the model';
    // The name shows the node; the rest of a module's row opens and closes it.
    name.addEventListener('click', (event) => {
      event.preventDefault();
      event.stopPropagation();
      onReveal(nodeId);
    });
  }
  const bar = el('span', undefined, 'rp-tree-bar');
  const fill = el('span', undefined, `rp-${row.bound}`);
  fill.style.width = `${Math.min(100, Math.max(0, row.share * 100)).toFixed(2)}%`;
  bar.appendChild(fill);
  bar.setAttribute('aria-hidden', 'true');
  line.append(
    name,
    bar,
    el('span', seconds(row.timeSeconds), 'num'),
    el('span', percent(row.share), 'num'),
    el('span', row.bound === 'none' ? 'no kernel' : row.bound, `rp-${row.bound}`),
    el('span', si(row.flops), 'num'),
    el('span', bytes(row.bytes), 'num'),
  );
  return line;
}

function noteOf(row: CostTreeLike, depth: number): HTMLElement[] {
  if (row.note === undefined) return [];
  const note = el('div', `⚠ ${row.note}`, 'rp-tree-note');
  note.style.setProperty('--depth', String(depth));
  return [note];
}

/** Rows not drawn: those past MAX_TREE_CHILDREN plus those the report already left out (`more`). */
function sumRows(hidden: readonly CostTreeLike[], more: CostTreeLike['more']): { count: number; timeSeconds: number; share: number } {
  const rest = { count: more?.count ?? 0, timeSeconds: more?.timeSeconds ?? 0, share: more?.share ?? 0 };
  for (const r of hidden) {
    rest.count++;
    rest.timeSeconds += r.timeSeconds;
    rest.share += r.share;
  }
  return rest;
}

function moreRow(rest: { count: number; timeSeconds: number; share: number }, depth: number): HTMLElement {
  const line = el('div', undefined, 'rp-tree-row rp-tree-more');
  const name = el('span', `… ${rest.count} more`, 'rp-tree-name');
  name.style.setProperty('--depth', String(depth));
  line.append(name, el('span'), el('span', seconds(rest.timeSeconds), 'num'), el('span', percent(rest.share), 'num'));
  return line;
}

/** The section's intro: how modules are found, what a row adds up. */
export const COST_TREE_NOTE =
  'Modules come from the node names (torch.onnx.export scopes like /layer1/layer1.0/conv1/Conv, the module paths of a PyTorch source or a Hugging Face config). A module adds up the ops under it that the totals count; its bound is the one holding at least 60% of its time, else mixed. Rows are sorted by time; a module with a single child is shown as one row (encoder › layers).';
