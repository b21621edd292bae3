/** Composition pieces every service's root uses: the core modules (metrics, bus, store) and the HTTP module. */
export { CoreModule, busModule, metricsModule, storeModule } from './core-modules';
export { httpModule, type HttpModuleOptions } from './http-module';
export { TRACING_MODULE, tracingModule, withTracingModule } from './tracing-module';
