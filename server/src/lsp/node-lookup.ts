import { NodeSpan } from '../analysis/onnx/text/layout';
import { ReportNode } from '../analysis/report';
import { LoadedModel, ProfiledModel } from './models';

/** The innermost node whose statement holds `offset` (subgraph bodies nest inside their parent's statement). */
export function nodeAt(loaded: LoadedModel, offset: number): NodeSpan | undefined {
  const nodes = loaded.layout.nodes;
  let lo = 0;
  let hi = nodes.length - 1;
  let last = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((nodes[mid] as NodeSpan).statement.start <= offset) {
      last = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  for (let i = last; i >= 0; i--) {
    const span = nodes[i] as NodeSpan;
    if (span.statement.start <= offset && offset <= span.statement.end) return span;
  }
  return undefined;
}

/**
 * The report nodes a text node stands for: itself, or for a node in a function body every expansion
 * of it at the function's call sites (the engine gives those ids `<call>/<function>/n<i>`).
 */
export function reportNodesFor(profiled: ProfiledModel, id: string): ReportNode[] {
  const direct = profiled.nodes.get(id);
  if (direct) return [direct];
  const fn = /^fn:(.*)::(.*)\/(n\d+)$/.exec(id);
  if (!fn) return [];
  const suffix = `/${fn[2]}/${fn[3]}`;
  return profiled.report.nodes.filter((n) => n.id.endsWith(suffix));
}

/** The span for a report node id: the node itself, or the closest enclosing node that the text shows. */
export function spanForId(loaded: LoadedModel, id: string): NodeSpan | undefined {
  let current = id;
  for (;;) {
    const span = loaded.nodeSpans.get(current);
    if (span) return span;
    const cut = current.lastIndexOf('/');
    if (cut < 0) return undefined;
    current = current.slice(0, cut);
  }
}
