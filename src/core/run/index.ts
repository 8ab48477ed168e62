/** A recorded run: launch (or take) a traced run, fold it into a Session, sample it, record it, stop it. */
export { recordRun, startRecordedRun, SampleFilter, type RecordOptions, type RecordedRun, type RecordedRunEnd } from './recordedRun';
