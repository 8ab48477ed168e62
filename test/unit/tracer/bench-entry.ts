// Not a test: bundles the launch API, the decoders and the recording reader for the benchmarks in
// bench/ (esbuild builds everything under test/unit; only *.test.js files are run as tests).
export { launchTracedRun, findPython, EventReceiver } from '../../../src/core/tracer';
export { WireDecoder } from '../../../src/core/protocol/wire';
export { decodeMarshal } from '../../../src/core/protocol/marshal';
export { scanRecording } from '../../../src/core/recording';
export { startRecordedRun } from '../../../src/core/run';
export { Session } from '../../../src/core/session';
export { RecordingWriter } from '../../../src/core/recording';
export { PROTOCOL_VERSION } from '../../../src/core/protocol/events';
