/**
 * The words for a total that could not be computed because symbolic dims are unbound, shared by the
 * code lens, the status bar, the profile command's message and the roofline panel (which reads the
 * report's `unboundSymbols` and `totals.costedNodes`), so that no view shows "0.00 µs per run" for a
 * model whose sizes are unknown.
 */

/** Names listed before "+N more"; a long name (`p2o.DynamicDimension.0`) counts as what it takes. */
const NAMES_BUDGET = 40;

/** `batch, height, width`, or `p2o.DynamicDimension.0 +2 more` when the names are long. */
export function unboundNames(unbound: readonly string[], budget = NAMES_BUDGET): string {
  const shown: string[] = [];
  let used = 0;
  for (const name of unbound) {
    if (shown.length > 0 && used + name.length + 2 > budget) break;
    shown.push(name);
    used += name.length + 2;
  }
  const rest = unbound.length - shown.length;
  return `${shown.join(', ')}${rest > 0 ? ` +${rest} more` : ''}`;
}

/** `not costed: bind batch, height, width`. */
export function notCostedText(unbound: readonly string[]): string {
  return `not costed: bind ${unboundNames(unbound)}`;
}

/**
 * True when a model's total says nothing: symbols are unbound and no node could be costed. With some
 * nodes costed the total is a lower bound (`≥`), and the unbound dims are named beside it.
 */
export function nothingCosted(unbound: readonly string[], costedNodes: number | null | undefined): boolean {
  return unbound.length > 0 && !(costedNodes && costedNodes > 0);
}
