/**
 * Profiling a model on a chip (`ridgepoint/profile`): under a cancellable progress notification, then the
 * roofline panel opens beside the editor (without taking focus) and a one-line summary offers "Show
 * Roofline" (to bring a closed panel back) and "Export Report…". Profiling on a chip makes it the current chip.
 */
import * as vscode from 'vscode';
import { ProfileRequest, ProfileResult } from '../../server/src/protocol';
import { Chips } from './chips';
import { errorMessage, isCancellation, withCancellableProgress } from './command-runner';
import { RidgepointServer } from './language-client';
import { displayName } from './model-uris';
import { profileSummary } from './summary';

export const SHOW_ROOFLINE = 'Show Roofline';
export const EXPORT_REPORT = 'Export Report…';

export interface ReportActions {
  /** Opens or reveals the model's roofline panel, beside the editor, keeping the focus where it is. */
  readonly showRoofline: (model: vscode.Uri) => Promise<void>;
  readonly exportReport: (model: vscode.Uri, report: ProfileResult) => Promise<void>;
}

export class Profiler {
  constructor(
    private readonly server: RidgepointServer,
    private readonly chips: Chips,
  ) {}

  /**
   * The report of `model` on `chip` (the current chip when omitted), with its suggestions when
   * `suggestions` (they can take a second on a large model). Rejects with CancellationError on Cancel.
   */
  async report(model: vscode.Uri, chip?: string, suggestions?: boolean): Promise<ProfileResult> {
    const name = displayName(model);
    const title = chip ? `Ridgepoint: profiling ${name} on ${this.chips.nameOf(chip)}` : `Ridgepoint: profiling ${name}`;
    return withCancellableProgress(title, async (token) => (await this.server.ready()).sendRequest(ProfileRequest, { uri: model.toString(), ...(chip ? { chip } : {}), ...(suggestions === undefined ? {} : { suggestions }) }, token));
  }

  /** Profile for a chip, make it current, and say what came out. */
  async profileOn(model: vscode.Uri, chip: string, actions: ReportActions): Promise<void> {
    const report = await this.report(model, chip);
    await this.chips.setCurrent(chip);
    await actions.showRoofline(model);
    // Not awaited: a notification can stay up for long, and the command is done once it shows.
    void vscode.window.showInformationMessage(profileSummary(displayName(model), report), SHOW_ROOFLINE, EXPORT_REPORT).then(async (choice) => {
      try {
        if (choice === SHOW_ROOFLINE) await actions.showRoofline(model);
        else if (choice === EXPORT_REPORT) await actions.exportReport(model, report);
      } catch (error) {
        if (!isCancellation(error)) void vscode.window.showErrorMessage(`Ridgepoint: ${choice ?? 'action'} failed: ${errorMessage(error)}`);
      }
    });
  }
}
