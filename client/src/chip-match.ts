/**
 * Which chip a typed text names exactly, for the chip picker: VS Code's quick pick sorts by fuzzy score,
 * so `h100` put "H100 NVL" first and `a100` "A100 PCIe 40GB". An exact id or alias wins over any fuzzy
 * match, by the rule the server's chip lookup uses. Pure (no `vscode` import) so unit tests run in Node.
 */
import { matchChip } from '../../server/src/analysis/cost/chip-key';
import type { ChipSummary } from '../../server/src/protocol';

/**
 * The chip whose id, alias or full name is exactly `typed` (ignoring case, separators and vendor
 * words), or undefined. An id wins over an alias and an alias over a name: `h100` is the chip whose id
 * is `h100` (the SXM5 80GB default), `a100` the chip that lists `a100` among its aliases.
 */
export function exactChip(typed: string, chips: readonly ChipSummary[]): ChipSummary | undefined {
  return matchChip([chips], typed);
}
