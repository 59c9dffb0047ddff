/**
 * The few DOM types the in-page functions use. The project's tsconfig has no DOM library (the code
 * runs in Node), so functions passed to `evaluate` take `unknown` and cast to these.
 * Functions passed to `evaluate` are serialised and run in the page: they must not call helpers
 * defined outside their own body, and should not declare named inner functions (tsx's keepNames
 * would wrap them in `__name(...)`; workbench.ts defines a no-op `__name` in each page as well).
 */

export interface DomRect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface DomNode {
  readonly textContent: string | null;
  readonly parentElement: DomElement | null;
}

export interface DomElement extends DomNode {
  readonly className: string;
  readonly ownerDocument: DomDocument;
  querySelectorAll(selector: string): ArrayLike<DomElement>;
  getBoundingClientRect(): DomRect;
}

export interface DomRange {
  setStart(node: DomNode, offset: number): void;
  setEnd(node: DomNode, offset: number): void;
  getBoundingClientRect(): DomRect;
}

export interface DomDocument {
  createTreeWalker(root: DomElement, whatToShow: number): { nextNode(): DomNode | null };
  createRange(): DomRange;
}
