/**
 * The static evaluator, in three layers: evaluator.ts (Python statements, expressions, scopes, calls),
 * object-model.ts (classes, instances, nn.Module registration, attribute lookup, super()) and
 * torch-bridge.ts (torch/nn builtins, layers, modules called in forward()). This file names the whole.
 */
export { BudgetExceeded, LIMITS } from './evaluator';
export { Interpreter, leaves } from './torch-bridge';
export { canonicalTorch, isTorchNn } from './torch-names';
