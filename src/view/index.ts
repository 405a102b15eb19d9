/**
 * The web view's public face (package export "cameras-usb2/view"): mount it on the app
 * buildHttpApp() makes, or on a fastify server of your own after protectHttpApp().
 */
export { registerViewRoutes, type ViewRouteOptions } from './view_routes.js';
export { buildHttpApp, type HttpServerOptions } from '../http/server.js';
export { protectHttpApp } from '../http/protect.js';
export { moduleViewSource } from './module_view_source.js';
export type { CommandOutcome, ViewCapabilities, ViewControl, ViewSource } from './view_source.js';
export type { MetricsSample, DiskFigures, CameraPresence } from './metrics_sample.js';
export { HEALTH_THRESHOLDS } from './health.js';
