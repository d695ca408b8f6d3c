/**
 * node/obs — observability: metrics rendered for the Prometheus endpoint.
 * (OpenTelemetry tracing of statements arrives with the SQL layer.)
 */
export { LatencyHistogram } from './histogram.ts';
