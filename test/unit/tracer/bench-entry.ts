// Not a test: bundles the launch API and the decoders for bench/tracer-throughput.mjs (esbuild
// builds everything under test/unit; only *.test.js files are run as tests).
export { launchTracedRun, findPython, EventReceiver } from '../../../src/core/tracer';
export { WireDecoder } from '../../../src/core/protocol/wire';
export { decodeMarshal } from '../../../src/core/protocol/marshal';
