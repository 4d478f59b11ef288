import { serveMetric } from '../../shared/serve'
import { errorRate } from './metric'

serveMetric(errorRate)
