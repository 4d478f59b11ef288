import { serveMetric } from '../../shared/serve'
import { throughput } from './metric'

serveMetric(throughput)
