/**
 * Chips: the quick pick over the server's chip list (`ridgepoint/chips`), the current chip setting and
 * its update. The list is cached for the status bar's names and refreshed when the chips file changes.
 */
import * as vscode from 'vscode';
import { ChipsRequest, ChipSummary, PeakModeName } from '../../server/src/protocol';
import { DEFAULT_SETTINGS } from '../../server/src/settings';
import { RidgepointServer } from './language-client';
import { exactChip } from './chip-match';
import { chipDetail } from './summary';

/** An Enter this soon after a keystroke may beat the active row's update to the list: the typed text decides. */
const TYPED_JUST_NOW_MS = 250;

interface ChipItem extends vscode.QuickPickItem {
  readonly chip?: ChipSummary;
}

export class Chips {
  private list: readonly ChipSummary[] | undefined;

  constructor(private readonly server: RidgepointServer) {}

  /** The `ridgepoint.chip` setting (an id or alias). */
  current(): string {
    return vscode.workspace.getConfiguration('ridgepoint').get<string>('chip')?.trim() || DEFAULT_SETTINGS.chip;
  }

  /** The `ridgepoint.peakMode` setting. */
  peakMode(): PeakModeName {
    const value = vscode.workspace.getConfiguration('ridgepoint').get<string>('peakMode');
    return value === 'datasheet' || value === 'achievable' ? value : DEFAULT_SETTINGS.peakMode;
  }

  /** The chip's display name when the list is loaded and knows it, else the id as written. */
  nameOf(idOrAlias: string): string {
    const chip = this.find(idOrAlias);
    return chip ? chip.name : idOrAlias;
  }

  find(idOrAlias: string): ChipSummary | undefined {
    return exactChip(idOrAlias, this.list ?? []);
  }

  invalidate(): void {
    this.list = undefined;
  }

  /** The chip list, loaded once (the roofline panel's pickers); `invalidate` makes the next call reload it. */
  async cached(): Promise<readonly ChipSummary[]> {
    return this.list ?? this.load();
  }

  async load(token?: vscode.CancellationToken): Promise<readonly ChipSummary[]> {
    const client = await this.server.ready();
    const result = await client.sendRequest(ChipsRequest, token);
    if (result.errors.length > 0) {
      void vscode.window.showWarningMessage(`Ridgepoint: problems in the chips file: ${result.errors.join('; ')}`);
    }
    this.list = result.chips;
    return result.chips;
  }

  /**
   * The quick pick (label name, description id and aliases, detail datasheet bandwidth · peak · memory and
   * what the current peak mode times with); undefined when dismissed. Typing an exact id or alias and
   * pressing Enter picks that chip, whatever the fuzzy sort puts first (`h100` is the SXM5 80GB, not NVL).
   */
  async pick(title: string): Promise<ChipSummary | undefined> {
    const quickPick = vscode.window.createQuickPick<ChipItem>();
    const mode = this.peakMode();
    quickPick.title = title;
    quickPick.placeholder = `Type an id or alias (h100, a100) or filter by name or vendor · peak mode: ${mode}`;
    quickPick.matchOnDescription = true;
    quickPick.matchOnDetail = true;
    quickPick.busy = true;
    quickPick.show();
    const source = new vscode.CancellationTokenSource();
    let items: ChipItem[] = [];
    let typedAt = 0;
    let chips: readonly ChipSummary[] = [];
    try {
      const chosen = new Promise<ChipSummary | undefined>((resolve) => {
        // Enter right after typing an exact id or alias picks that chip, even before the row made active for
        // it (below) has reached the list; later, the active row is what the user sees and chose.
        quickPick.onDidAccept(() => {
          const typedJustNow = Date.now() - typedAt < TYPED_JUST_NOW_MS;
          resolve((typedJustNow ? exactChip(quickPick.value, chips) : undefined) ?? quickPick.selectedItems[0]?.chip);
        });
        quickPick.onDidHide(() => {
          source.cancel();
          resolve(undefined);
        });
      });
      // The fuzzy sort ranks ties by label (`h100` put "H100 NVL" first): an exact id or alias makes its chip the active row.
      quickPick.onDidChangeValue((value) => {
        typedAt = Date.now();
        const exact = exactChip(value, chips);
        const item = exact && items.find((i) => i.chip === exact);
        if (item) quickPick.activeItems = [item];
      });
      const load = this.load(source.token).then((loaded) => {
        chips = loaded;
        const current = this.find(this.current());
        items = chipItems(loaded, current, mode);
        quickPick.items = items;
        const active = items.find((i) => i.chip === current);
        if (active) quickPick.activeItems = [active];
        quickPick.busy = false;
      });
      // A failed load closes the pick and reports the error to the command.
      const failed = load.then(
        () => new Promise<never>(() => undefined),
        (error: unknown) => Promise.reject(error),
      );
      return await Promise.race([chosen, failed]);
    } finally {
      source.dispose();
      quickPick.dispose();
    }
  }

  /**
   * Makes `chip` the current chip: in the workspace's settings when the workspace already chooses a
   * chip there, else in the user's settings, so picking a chip never adds a .vscode/settings.json to
   * someone's repository.
   */
  async setCurrent(chip: string): Promise<void> {
    // Already in effect (the default, say): writing it would create .vscode/settings.json for nothing.
    if (this.current() === chip) return;
    await updateSetting('chip', chip);
  }

  /** Makes `mode` the current peak mode, in the same settings scope as `setCurrent` chooses for the chip. */
  async setPeakMode(mode: PeakModeName): Promise<void> {
    if (this.peakMode() === mode) return;
    await updateSetting('peakMode', mode);
  }
}

/** Writes a ridgepoint.* setting where the workspace already sets it, else in the user's settings. */
async function updateSetting(key: 'chip' | 'peakMode', value: string): Promise<void> {
  const config = vscode.workspace.getConfiguration('ridgepoint');
  const inWorkspace = config.inspect<string>(key)?.workspaceValue !== undefined;
  await config.update(key, value, inWorkspace ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global);
}

function chipItems(chips: readonly ChipSummary[], current: ChipSummary | undefined, mode: PeakModeName): ChipItem[] {
  // Grouped by category in the order the server lists them.
  const groups = new Map<string, ChipSummary[]>();
  for (const chip of chips) {
    const group = groups.get(chip.category) ?? [];
    group.push(chip);
    groups.set(chip.category, group);
  }
  const items: ChipItem[] = [];
  for (const [category, members] of groups) {
    items.push({ label: category.replace(/[_-]+/g, ' '), kind: vscode.QuickPickItemKind.Separator });
    for (const chip of members) {
      items.push({
        label: chip.name,
        iconPath: chip === current ? new vscode.ThemeIcon('check') : undefined,
        // The aliases too, so that typing one matches the chip it names.
        description: [chip.id, ...chip.aliases].join(' · '),
        detail: chipDetail(chip, mode),
        chip,
      });
    }
  }
  return items;
}
