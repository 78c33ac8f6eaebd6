// The long-running server's extras (src/app.ts AppExtras): the OpenAPI document generated from
// the routes with Swagger UI, and Prometheus metrics. The tests and benchmarks use them too.
import type { AppExtras } from '../app.js';
import { compiledSerializers } from '../serializers/compiled.js';
import { registerMetrics } from './metrics.js';
import { registerOpenApi } from './openapi.js';

export const SERVER_EXTRAS: AppExtras = { docs: registerOpenApi, metrics: registerMetrics, serializers: compiledSerializers };
