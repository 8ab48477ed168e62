// The timeline's scrubber moves a Debug Recording session (issue 15: one moment, shared both
// ways): in a real VS Code, Debug Recording on the zombie example's recording, then what the
// webview's scrubber sends (TimelinePanel.scrub, as its 'scrub' message does) moves the debugger
// to the last step at or before that moment. The debugger says so with a DAP 'stopped' event (the
// Call Stack and the editor refresh), its stopped thread is that step's process at that step's
// line, and the views show that step's moment. The expected step is read from the recording with
// the core's own Replay, independently of the extension.
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { openReplay } from '../../src/core/replay/replay';
import { api, poll as pollFor, root } from './support';

const poll = <T>(check: () => T | undefined | null | false, what: string, timeoutMs = 120_000): Promise<T> => pollFor(check, what, timeoutMs);

interface DapMessage {
  type: string;
  event?: string;
  body?: { threadId?: number; reason?: string };
}

describe('The timeline moves a recording being debugged', function () {
  this.timeout(300_000);

  it('scrubbing to a moment stops the replay debugger at the last step at or before it', async () => {
    const pv = await api();
    const file = join(root, 'test', 'fixtures', 'recordings', '18_zombie.jsonl');
    const replay = await openReplay(file);
    const messages: DapMessage[] = [];
    const tracker = vscode.debug.registerDebugAdapterTrackerFactory('processview', {
      createDebugAdapterTracker: () => ({ onDidSendMessage: (m: DapMessage) => void messages.push(m) }),
    });
    const stops = (): DapMessage[] => messages.filter((m) => m.type === 'event' && m.event === 'stopped');
    let ended = false;
    const terminated = vscode.debug.onDidTerminateDebugSession((s) => {
      if (s.type === 'processview') ended = true;
    });
    try {
      await vscode.commands.executeCommand('processView.debugRecording', vscode.Uri.file(file));
      const session = await poll(() => (vscode.debug.activeDebugSession?.type === 'processview' ? vscode.debug.activeDebugSession : undefined), 'the debug session');
      await poll(() => stops().length > 0, "the first 'stopped' event");
      await vscode.commands.executeCommand('processView.showTimeline');

      // A moment between two steps, in the middle of the recording.
      const k = Math.floor(replay.length / 2);
      const ms = (replay.steps[k]!.t + replay.steps[k + 1]!.t) / 2;
      const expected = replay.steps[replay.indexAt(ms)]!;
      assert.ok(expected.t <= ms);
      const before = stops().length;
      pv.timeline.scrub(ms);
      const stopped = await poll(() => stops()[before], "a 'stopped' event after the scrub");
      assert.equal(stopped.body?.threadId, expected.pid, 'the stop is at the step of that moment');
      assert.equal(pv.store.scrubbedTo, expected.t, "the views show the debugger's moment");
      if (expected.site) {
        const trace = (await session.customRequest('stackTrace', { threadId: expected.pid, startFrame: 0, levels: 1 })) as { stackFrames: Array<{ line: number }> };
        assert.equal(trace.stackFrames[0]?.line, expected.site.line, "the Call Stack's frame is that step's line");
      }

      // The scrubber's End: the last step.
      const again = stops().length;
      pv.timeline.scrub(null);
      await poll(() => stops()[again], "a 'stopped' event at the end");
      assert.equal(pv.store.scrubbedTo, replay.steps[replay.length - 1]!.t);
    } finally {
      if (!ended && vscode.debug.activeDebugSession?.type === 'processview') await vscode.debug.stopDebugging(vscode.debug.activeDebugSession);
      terminated.dispose();
      tracker.dispose();
    }
  });
});
