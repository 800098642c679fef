/** hubrun's own metrics, emitted through the Temporal SDK's metric meter (see names.ts). */
export { histogramBuckets, metrics, statusClass, targetLabels, type MetricSpec } from './names';
export { recordAihubCalls } from './aihub-calls';
export { recordReviewWait } from './review-wait';
