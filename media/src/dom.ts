/** Tiny DOM helpers for the webview and report: text goes in through textContent only, never as HTML. */

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, className?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (className) e.className = className;
  return e;
}

/** A labelled control: `<label for=id>text</label>` followed by the control. */
export function labelled(id: string, text: string, control: HTMLElement): HTMLElement {
  const wrap = el('span', undefined, 'rp-field');
  const label = el('label', text);
  label.htmlFor = id;
  control.id = id;
  wrap.append(label, control);
  return wrap;
}

export function option(value: string, text: string, selected = false): HTMLOptionElement {
  const o = el('option', text);
  o.value = value;
  o.selected = selected;
  return o;
}

export function button(text: string, id: string, onClick: () => void): HTMLButtonElement {
  const b = el('button', text);
  b.type = 'button';
  b.id = id;
  b.addEventListener('click', onClick);
  return b;
}
