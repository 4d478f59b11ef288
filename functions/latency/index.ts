import { serveMetric } from '../../shared/serve'
import { latency } from './metric'

serveMetric(latency)
