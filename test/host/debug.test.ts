// Debug with Process View inside a real VS Code: the processview debug type, its provider and its
// commands are registered, and "Debug with Process View" on a tiny script stops at a gutter
// breakpoint in the child process (not the main one), with the views following the debug run.
import * as assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { api, manifest, poll as pollFor, processRows } from './support';

const poll = <T>(check: () => T | undefined | null | false, what: string, timeoutMs = 180_000): Promise<T> => pollFor(check, what, timeoutMs);

const CHILD_LINE = 5;
const SCRIPT = [
  'import multiprocessing as mp',
  '',
  '',
  'def work(n):',
  '    total = n * 2  # breakpoint here (line 5), in the child',
  '    print("child got", total)',
  '',
  '',
  'if __name__ == "__main__":',
  '    p = mp.Process(target=work, args=(21,))',
  '    p.start()',
  '    p.join()',
  '    print("done", p.exitcode)',
  '',
].join('\n');

interface DapMessage {
  type: string;
  event?: string;
  body?: { threadId?: number; reason?: string; exitCode?: number };
}

describe('Debug with Process View (real debug sessions)', function () {
  // Generous: under a load average of 20+ the terminal alone can take tens of seconds to open.
  this.timeout(300_000);

  it('registers the processview debug type and its commands', async () => {
    await api();
    const commands = await vscode.commands.getCommands(true);
    for (const id of ['processView.debug', 'processView.debugRecording', 'processView.pauseAtOperations']) assert.ok(commands.includes(id), id);
    const ext = vscode.extensions.getExtension(`${manifest.publisher}.${manifest.name}`);
    const debuggers = (ext?.packageJSON as { contributes: { debuggers: Array<{ type: string }> } }).contributes.debuggers;
    assert.deepEqual(
      debuggers.map((d) => d.type),
      ['processview'],
    );
  });

  it('stops at a breakpoint in the child process, shows it paused in the tree, and runs to the end', async () => {
    const pv = await api();
    const dir = mkdtempSync(join(tmpdir(), 'pv-debug-host-'));
    const file = join(dir, 'child_breakpoint.py');
    writeFileSync(file, SCRIPT);
    const uri = vscode.Uri.file(file);

    const messages: DapMessage[] = [];
    const tracker = vscode.debug.registerDebugAdapterTrackerFactory('processview', {
      createDebugAdapterTracker: () => ({ onDidSendMessage: (m: DapMessage) => void messages.push(m) }),
    });
    const breakpoint = new vscode.SourceBreakpoint(new vscode.Location(uri, new vscode.Position(CHILD_LINE - 1, 0)));
    vscode.debug.addBreakpoints([breakpoint]);
    let ended = false;
    const terminated = vscode.debug.onDidTerminateDebugSession((s) => {
      if (s.type === 'processview') ended = true;
    });
    try {
      await vscode.commands.executeCommand('processView.debug', uri);
      const session = await poll(() => (vscode.debug.activeDebugSession?.type === 'processview' ? vscode.debug.activeDebugSession : undefined), 'the debug session');
      const stopped = await poll(() => messages.find((m) => m.type === 'event' && m.event === 'stopped'), "a 'stopped' event");
      assert.equal(stopped.body?.reason, 'breakpoint');
      const pid = stopped.body?.threadId;
      assert.ok(pid, 'the stop names its process');

      // The stopped thread is the child: its own pid, under the main process, at the child's line.
      const threads = (await session.customRequest('threads')) as { threads: Array<{ id: number; name: string }> };
      const thread = threads.threads.find((t) => t.id === pid);
      assert.ok(thread, `thread ${pid} listed (${threads.threads.map((t) => t.name).join(' | ')})`);
      assert.match(thread.name, new RegExp(`pid ${pid}`));
      assert.ok(threads.threads.length >= 2, 'the main process is a thread too');
      const trace = (await session.customRequest('stackTrace', { threadId: pid, startFrame: 0, levels: 5 })) as {
        stackFrames: Array<{ id: number; name: string; line: number; source?: { path?: string } }>;
      };
      const top = trace.stackFrames[0];
      assert.equal(top?.line, CHILD_LINE);
      // In a remote extension host (code-server) the client names the source by its remote URI.
      assert.ok(top?.source?.path?.endsWith(file), top?.source?.path);
      assert.equal(top?.name, 'work');
      const value = (await session.customRequest('evaluate', { expression: 'n', frameId: top.id, context: 'watch' })) as { result: string };
      assert.equal(value.result, '21', "the child's argument");

      // The views follow the debug run: the child is under the main process, marked paused.
      const child = await poll(() => processRows(pv).find((r) => r.process.pid === pid), 'the child in the Processes tree');
      const main = processRows(pv).find((r) => r.process.role === 'main');
      assert.ok(main && child.parentId === main.id, 'the child sits under the main process');
      assert.notEqual(main.process.pid, pid, 'it stopped in the child, not the main process');
      const item = pv.processes.getTreeItem(child);
      assert.match(String(item.description), /^Paused on breakpoint · /);

      await session.customRequest('continue', { threadId: pid });
      await poll(() => ended, 'the end of the debug session');
      const exited = messages.find((m) => m.type === 'event' && m.event === 'exited');
      assert.equal(exited?.body?.exitCode, 0);
      const after = processRows(pv).find((r) => r.process.pid === pid);
      assert.ok(after && !/paused/i.test(String(pv.processes.getTreeItem(after).description)), 'no longer marked paused');
    } finally {
      vscode.debug.removeBreakpoints([breakpoint]);
      if (!ended && vscode.debug.activeDebugSession?.type === 'processview') await vscode.debug.stopDebugging(vscode.debug.activeDebugSession);
      terminated.dispose();
      tracker.dispose();
    }
  });

  it('stops where a function breakpoint names a function: as the child starts it, at its first line', async () => {
    const pv = await api();
    const dir = mkdtempSync(join(tmpdir(), 'pv-debug-host-'));
    const file = join(dir, 'function_breakpoint.py');
    writeFileSync(file, SCRIPT);
    const messages: DapMessage[] = [];
    const tracker = vscode.debug.registerDebugAdapterTrackerFactory('processview', {
      createDebugAdapterTracker: () => ({ onDidSendMessage: (m: DapMessage) => void messages.push(m) }),
    });
    // As the Breakpoints view's "Add Function Breakpoint" makes it: VS Code sends it only to an adapter that offers them.
    const breakpoint = new vscode.FunctionBreakpoint('work');
    vscode.debug.addBreakpoints([breakpoint]);
    let ended = false;
    const terminated = vscode.debug.onDidTerminateDebugSession((s) => {
      if (s.type === 'processview') ended = true;
    });
    try {
      await vscode.commands.executeCommand('processView.debug', vscode.Uri.file(file));
      const session = await poll(() => (vscode.debug.activeDebugSession?.type === 'processview' ? vscode.debug.activeDebugSession : undefined), 'the debug session');
      const stopped = await poll(() => messages.find((m) => m.type === 'event' && m.event === 'stopped'), "a 'stopped' event");
      assert.equal(stopped.body?.reason, 'breakpoint');
      const pid = stopped.body?.threadId;
      const trace = (await session.customRequest('stackTrace', { threadId: pid, startFrame: 0, levels: 1 })) as { stackFrames: Array<{ name: string; line: number }> };
      assert.deepEqual([trace.stackFrames[0]?.name, trace.stackFrames[0]?.line], ['work', CHILD_LINE]);
      const child = await poll(() => processRows(pv).find((r) => r.process.pid === pid), 'the child in the Processes tree');
      assert.equal(child.process.role, 'child');
      assert.match(String(pv.processes.getTreeItem(child).description), /^Paused on entering work \(function breakpoint\) · /);
      await session.customRequest('continue', { threadId: pid });
      await poll(() => ended, 'the end of the debug session');
      assert.equal(messages.filter((m) => m.type === 'event' && m.event === 'stopped').length, 1, 'the main process never calls work');
    } finally {
      vscode.debug.removeBreakpoints([breakpoint]);
      if (!ended && vscode.debug.activeDebugSession?.type === 'processview') await vscode.debug.stopDebugging(vscode.debug.activeDebugSession);
      terminated.dispose();
      tracker.dispose();
    }
  });
});
