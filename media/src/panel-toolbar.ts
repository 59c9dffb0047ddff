/**
 * The panel's controls: chip and peak mode (→ 'setChip'), comparison chip and peak mode (→ 'compare'),
 * colouring, fused view, comparison points, exports, and one number input per symbolic dim
 * (→ 'setBindings'). Built once and updated in place on each report, so a control keeps focus while
 * the report it triggered arrives. All are native selects, inputs and buttons with labels.
 */
import { button, el, labelled, option } from './dom';
import type { ExportFormat, PanelChip, PanelDim, PeakModeName } from './panel-messages';
import type { ViewState } from './panel-state';
import type { ColourBy } from './roofline-chart';
import type { ReportLike } from './report-types';

export interface ToolbarHandlers {
  setChip(chip: string, peakMode: PeakModeName): void;
  compare(chip: string | null, peakMode: PeakModeName): void;
  colourBy(by: ColourBy): void;
  fused(on: boolean): void;
  comparePoints(on: boolean): void;
  measured(on: boolean): void;
  exportAs(format: ExportFormat): void;
  setBindings(bindings: Record<string, number>): void;
  /** Problems the user should read (an invalid dim value). */
  say(text: string): void;
}

const NONE = '';
const MAX_DIM = 2 ** 31;

function peakSelect(): HTMLSelectElement {
  const s = el('select');
  s.append(option('achievable', 'achievable'), option('datasheet', 'datasheet'));
  return s;
}

function chipOptions(select: HTMLSelectElement, chips: readonly PanelChip[], current: string | null, withNone: boolean): void {
  const opts = chips.map((c) => option(c.id, c.name, c.id === current));
  if (withNone) opts.unshift(option(NONE, 'none', current === null));
  // A current chip missing from the list (a custom chips file changed) is still shown as selected.
  if (current !== null && !chips.some((c) => c.id === current)) opts.push(option(current, current, true));
  select.replaceChildren(...opts);
}

export class Toolbar {
  readonly element: HTMLElement;
  readonly dimsForm: HTMLFormElement;
  private readonly chip = el('select');
  private readonly peak = peakSelect();
  private readonly compareChip = el('select');
  private readonly comparePeak = peakSelect();
  private readonly colour = el('select');
  private readonly fusedBox = el('input');
  private readonly comparePointsBox = el('input');
  private readonly measuredBox = el('input');
  private readonly measuredField: HTMLElement;
  private readonly exports: HTMLButtonElement[];
  private readonly dimsFields = el('span', undefined, 'rp-dims-fields');
  private dimNames: string[] = [];

  constructor(private readonly handlers: ToolbarHandlers) {
    this.colour.append(option('bound', 'bound'), option('opType', 'op type'));
    this.fusedBox.type = 'checkbox';
    this.comparePointsBox.type = 'checkbox';
    this.measuredBox.type = 'checkbox';
    const setChip = (): void => handlers.setChip(this.chip.value, this.peak.value === 'datasheet' ? 'datasheet' : 'achievable');
    this.chip.addEventListener('change', setChip);
    this.peak.addEventListener('change', setChip);
    const compare = (): void => handlers.compare(this.compareChip.value === NONE ? null : this.compareChip.value, this.comparePeak.value === 'datasheet' ? 'datasheet' : 'achievable');
    this.compareChip.addEventListener('change', compare);
    this.comparePeak.addEventListener('change', compare);
    this.colour.addEventListener('change', () => handlers.colourBy(this.colour.value === 'opType' ? 'opType' : 'bound'));
    this.fusedBox.addEventListener('change', () => handlers.fused(this.fusedBox.checked));
    this.comparePointsBox.addEventListener('change', () => handlers.comparePoints(this.comparePointsBox.checked));
    this.measuredBox.addEventListener('change', () => handlers.measured(this.measuredBox.checked));
    this.exports = (['png', 'svg', 'csv', 'json'] as const).map((f) => {
      const b = button(f.toUpperCase(), `export-${f}`, () => handlers.exportAs(f));
      b.title = f === 'png' || f === 'svg' ? `Save the chart as ${f.toUpperCase()}` : `Save every costed op as ${f.toUpperCase()}`;
      return b;
    });

    const target = el('div', undefined, 'rp-group');
    target.append(labelled('chip', 'Chip', this.chip), labelled('peak-mode', 'Peaks', this.peak));
    const comparing = el('div', undefined, 'rp-group');
    comparing.append(labelled('compare-chip', 'Compare with', this.compareChip), labelled('compare-peak', 'Peaks', this.comparePeak), labelled('compare-points', 'Show its ops', this.comparePointsBox));
    this.comparePointsBox.title = "Also draw each op as it runs on the comparison chip (or after the what-if), as hollow circles";
    const viewing = el('div', undefined, 'rp-group');
    this.measuredField = labelled('measured', 'Measured', this.measuredBox);
    this.measuredField.title = 'Measured times (measured mode) as hollow diamonds, joined to their predictions';
    viewing.append(labelled('colour-by', 'Colour by', this.colour), labelled('fused', 'Fused view', this.fusedBox), this.measuredField);
    const exporting = el('div', undefined, 'rp-group rp-exports');
    exporting.append(el('span', 'Export', 'rp-group-label'), ...this.exports);
    this.element = el('div', undefined, 'rp-toolbar');
    this.element.append(target, comparing, viewing, exporting);

    this.dimsForm = el('form', undefined, 'rp-dims');
    this.dimsForm.id = 'dims';
    this.dimsForm.noValidate = true;
    const apply = el('button', 'Apply');
    apply.type = 'submit';
    apply.id = 'dims-apply';
    this.dimsForm.append(el('span', 'Dimensions', 'rp-group-label'), this.dimsFields, apply);
    // Enter in any field submits the form; the page never navigates (preventDefault).
    this.dimsForm.addEventListener('submit', (e) => {
      e.preventDefault();
      this.submitDims();
    });
  }

  update(chips: readonly PanelChip[], report: ReportLike, compare: ReportLike | null, dims: readonly PanelDim[], state: ViewState): void {
    chipOptions(this.chip, chips, report.chip?.id ?? null, false);
    this.peak.value = report.peakMode === 'datasheet' ? 'datasheet' : 'achievable';
    chipOptions(this.compareChip, chips, compare?.chip?.id ?? null, true);
    this.comparePeak.value = compare ? (compare.peakMode === 'datasheet' ? 'datasheet' : 'achievable') : state.comparePeakMode;
    this.comparePointsBox.disabled = compare === null;
    this.measuredField.hidden = report.measurement === undefined;
    this.sync(state);
    this.updateDims(dims);
  }

  /** Reflects the view state (after a restore, or a change from elsewhere). */
  sync(state: ViewState): void {
    this.colour.value = state.colourBy;
    this.fusedBox.checked = state.fused;
    this.comparePointsBox.checked = state.comparePoints;
    this.measuredBox.checked = state.measured;
  }

  setExportsEnabled(enabled: boolean): void {
    for (const b of this.exports) b.disabled = !enabled;
  }

  private updateDims(dims: readonly PanelDim[]): void {
    this.dimsForm.hidden = dims.length === 0;
    const names = dims.map((d) => d.name);
    if (names.join('\u0000') !== this.dimNames.join('\u0000')) {
      this.dimNames = names;
      this.dimsFields.replaceChildren(
        ...dims.map((d, i) => {
          const input = el('input');
          input.type = 'number';
          input.min = '1';
          input.step = '1';
          input.inputMode = 'numeric';
          input.placeholder = 'unbound';
          input.dataset.dim = d.name;
          return labelled(`dim-${i}`, d.name, input);
        }),
      );
    }
    dims.forEach((d, i) => {
      const input = this.dimsFields.querySelector<HTMLInputElement>(`#dim-${i}`);
      // The field being edited keeps what the user typed.
      if (input && input !== document.activeElement) {
        input.value = d.value === null ? '' : String(d.value);
        input.removeAttribute('aria-invalid');
      }
    });
  }

  private submitDims(): void {
    const bindings: Record<string, number> = {};
    const bad: string[] = [];
    for (const input of this.dimsFields.querySelectorAll<HTMLInputElement>('input[data-dim]')) {
      const name = input.dataset.dim ?? '';
      const text = input.value.trim();
      if (text === '') continue;
      const v = Number(text);
      const ok = Number.isInteger(v) && v >= 1 && v <= MAX_DIM;
      input.setAttribute('aria-invalid', String(!ok));
      if (ok) bindings[name] = v;
      else bad.push(name);
    }
    if (bad.length > 0) this.handlers.say(`Dimensions must be whole numbers from 1: ${bad.join(', ')}`);
    else if (Object.keys(bindings).length === 0) this.handlers.say('Enter a value for at least one dimension.');
    else this.handlers.setBindings(bindings);
  }
}
