/** Measured mode: ONNX Runtime profiles joined to predictions (docs/validation/README.md). */
export { parseOrtProfile } from './ort-profile';
export type { KernelEvent, OrtProfile, RunEvent } from './ort-profile';
export { joinKey, joinProfile } from './join';
export type { JoinOptions, JoinResult, NodeMeasurement } from './join';
export { attachMeasurement, SIGNIFICANT_SHARE, summarise } from './compare';
export type { MeasuredOp, ReportMeasurement } from './compare';
export { fractionalRanks, median, pearson, relativeError, spearman } from './stats';
