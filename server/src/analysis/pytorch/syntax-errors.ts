/** Syntax errors tree-sitter recovered from, as located diagnostics (the rest of the file is still analysed). */
import { SyntaxNode } from './parser';
import { rangeOf } from './syntax';
import { PythonDiagnostic } from './types';

const MAX_REPORTED = 50;

export function collectSyntaxErrors(root: SyntaxNode): PythonDiagnostic[] {
  const out: PythonDiagnostic[] = [];
  if (!root.hasError) return out;
  const stack: SyntaxNode[] = [root];
  for (let node = stack.pop(); node !== undefined && out.length < MAX_REPORTED; node = stack.pop()) {
    if (node.isMissing) {
      out.push({ severity: 'error', code: 'pytorch.syntax', message: `syntax error: missing \`${node.type}\``, range: rangeOf(node) });
      continue;
    }
    if (node.isError) {
      out.push({ severity: 'error', code: 'pytorch.syntax', message: `syntax error near \`${node.text.slice(0, 40).replace(/\s+/g, ' ')}\``, range: rangeOf(node) });
      continue;
    }
    if (!node.hasError) continue;
    for (let i = node.childCount - 1; i >= 0; i--) {
      const child = node.child(i);
      if (child) stack.push(child);
    }
  }
  return out;
}
