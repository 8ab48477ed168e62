// Not a test: bundles the launch API for bench/tracer-throughput.mjs (esbuild builds test/unit/**).
export { launchTracedRun, findPython, EventReceiver } from '../../../src/core/tracer';
