/**
 * The acquireVsCodeApi stub injected into the panel harness (test/e2e/roofline-panel.test.ts,
 * bench/panel.ts). A string, not a function: tsx's transform adds helper calls (__name) to functions that
 * do not exist in the page.
 */

/** The acquireVsCodeApi stub: posted messages in __posted, the state in __state, CSP violations in __csp. */
export function stubVsCodeApi(initialState: unknown): string {
  return `(() => {
    const g = globalThis;
    g.__posted = [];
    g.__state = ${JSON.stringify(initialState)};
    g.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => g.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
    let acquired = false;
    g.acquireVsCodeApi = () => {
      if (acquired) throw new Error('acquireVsCodeApi called twice');
      acquired = true;
      return {
        postMessage: (m) => { g.__posted.push(JSON.parse(JSON.stringify(m))); },
        getState: () => g.__state,
        setState: (s) => { g.__state = JSON.parse(JSON.stringify(s)); },
      };
    };
  })();`;
}
