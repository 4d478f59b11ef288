/**
 * Statistics for comparing a canary with its baseline: pure functions, no I/O, no dependencies.
 * See README.md for the methods, their assumptions and references.
 * @module
 */
export { erfc, normalCdf, normalQuantile, normalSf } from './normal'
export type { ErrorCounts } from './counts'
export { fisherExactTest, type FisherExactResult } from './fisher'
export {
  newcombeInterval,
  twoProportionZTest,
  wilsonInterval,
  type Interval,
  type ZTestResult,
} from './proportions'
export {
  assertBucketCounts,
  bucketBounds,
  bucketIndex,
  LATENCY_BUCKET_COUNT,
  LATENCY_BUCKET_INDEX_OFFSET,
  LATENCY_BUCKET_LOWER_NS,
  LATENCY_BUCKET_MAX_NS,
  LATENCY_BUCKET_MIN_NS,
  LATENCY_BUCKETS_PER_OCTAVE,
  toBucketCounts,
  type BucketBounds,
  type BucketCounts,
  type BucketRow,
} from './buckets'
export { bucketQuantile } from './quantile'
export { mannWhitneyFromBuckets, type MannWhitneyResult } from './mann-whitney'
export {
  compareErrorRates,
  FISHER_EXACT_MAX_VARIANCE,
  type ErrorRateComparison,
  type ErrorRateOptions,
  type ErrorRateSide,
  type ProportionTest,
} from './error-rate'
export {
  compareLatency,
  type LatencyComparison,
  type LatencyOptions,
  type LatencySide,
} from './latency'
export { compareThroughput, type ThroughputComparison } from './throughput'
export {
  DEFAULT_ALPHA,
  DEFAULT_ERROR_RATE_MARGIN,
  DEFAULT_LATENCY_RATIO_MARGIN,
  DEFAULT_MIN_SAMPLES,
  errorRateVerdict,
  latencyVerdict,
  type ErrorRateVerdictOptions,
  type LatencyVerdictOptions,
  type Verdict,
  type VerdictResult,
} from './verdict'
export { binomialCdf, binomialSf, binomialTails, type BinomialTails } from './binomial'
export {
  bucketOfRank,
  bucketQuantileInterval,
  quantileRanks,
  quantileRatioInterval,
  type QuantileInterval,
  type QuantileRanks,
  type RatioInterval,
} from './quantile-interval'
export { tailTest, type TailSide, type TailTest } from './tail'
export { MAX_LOOKS, perTestAlpha } from './looks'
export {
  DEFAULT_TAIL_MARGIN,
  errorRateRolloutVerdict,
  latencyRolloutVerdict,
  type ErrorRateRolloutOptions,
  type ErrorRateRolloutVerdict,
  type LatencyDecider,
  type LatencyRolloutOptions,
  type LatencyRolloutVerdict,
  type LocationPart,
  type TailPart,
} from './rollout-verdict'
export {
  DEFAULT_SHARE_MARGIN,
  expectedShareFromPods,
  trafficShareVerdict,
  type TrafficShareOptions,
  type TrafficShareVerdict,
} from './traffic-share'
