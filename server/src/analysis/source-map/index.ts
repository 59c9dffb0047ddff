/**
 * ONNX → Python source lines: where each node of a PyTorch export came from (docs/source-mapping.md).
 * Pure: reads node doc_strings, metadata and names; no IO.
 */
export type { SourceFrame } from './frame';
export { SOURCE_TEXT_LIMITS, isUserFrame, innermostUserFrame } from './frame';
export { parseTorchScriptStack } from './torchscript-stack';
export { parsePythonTraceback } from './python-traceback';
export { parsePythonStringList } from './python-literal';
export { TORCH_METADATA_KEYS, sourceFrames, userSourceFrame, modulePath, moduleClasses, modulePathFromNameScopes, modulePathFromNodeName } from './node-source';
export type { FileMatch } from './path-match';
export { matchSourceFile, bestFileMatch, normalisePath, normalisedSegments } from './path-match';
export type { NodeSourceEntry, SourceIndex, LineNodes, LineScope, IdentifiedNodes } from './source-index';
export { buildSourceIndex, sourceOfNode, indexedFileFor, nodesAtLine, nodesInModule } from './source-index';
export type { NodeCost, CostSum, LineCost, LineCostOptions } from './line-costs';
export { isCostedNode, costsBySourceLine, costsForSourceFile, costsForModule } from './line-costs';
