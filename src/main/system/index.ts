/**
 * Devices and VRAM (issue 7): detection, live monitor, per-job peaks, prediction, out-of-memory handling.
 * Electron-free; no blocking exec (nvidia-smi runs through async execFile / long-lived spawn only).
 */
export {
  detectDevices,
  describePlan,
  cudaDevice0,
  providerLabel,
  type DetectOptions,
  type ProviderProbeFn,
} from './detect';
export { VramMonitor, type VramMonitorOptions, type MonitorStatus } from './vramMonitor';
export { PeakTracker, historyMemoryFigures, type JobMemoryFigures, type JobScope } from './peakTracker';
export {
  predictVram,
  NEWBIE_DIMS,
  RUNTIME_OVERHEAD,
  type VramPrediction,
  type VramPredictionInput,
  type StageEstimate,
} from './predict';
export { memoryAdvice, type AdviceContext } from './advice';
export {
  classifyOutOfMemory,
  outOfMemoryError,
  jobFailure,
  oomAwareExitClassifier,
  type OomClassification,
  type JobFailure,
  type FailureSource,
} from './oom';
export { vramWarning, availableVram, type VramWarning } from './warning';
export { LineChild, type ChildStatus } from './lineChild';
export { defaultRssReader, type RssReader } from './processMemory';
