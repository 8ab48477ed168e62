// Runs real examples through "Run with Process View" inside a real VS Code and checks what the
// views hold: the tree populates while the script runs, a zombie is shown as one and reaped,
// queue messages reach the Channels view, the timeline gets lanes, and stdin typed into the
// run's terminal reaches the script.
import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { allRows, api, poll as pollFor, processRows, root } from './support';
import type { ProcessRow } from '../../src/extension/models/processModel';

const examples = join(root, 'examples');
const poll = <T>(check: () => T | undefined | null | false, what: string, timeoutMs = 60_000): Promise<T> => pollFor(check, what, timeoutMs);

describe('Run with Process View (real runs)', function () {
  this.timeout(240_000); // a hang guard: every wait below is a bounded poll (runs start slowly on a busy machine)

  it('shows the zombie of 18_zombie.py while its parent sleeps, then the reaping', async () => {
    const pv = await api();
    const script = vscode.Uri.file(join(examples, '18_zombie.py'));
    const done = vscode.commands.executeCommand('processView.run', script);
    // While running: the main process and its child appear, and the child becomes a zombie. Its
    // state comes from a sample, its role and creation line from the tracer's events: two sources
    // whose order is not given, so the wait is for one read in which both have come (a row whose
    // process is known only from a sample has the role 'external' and no creation line).
    const zombie = await poll(
      () => processRows(pv).find((r) => r.process.state === 'zombie' && r.process.role !== 'external' && r.process.createdAt !== null),
      "a zombie row with the tracer's facts about it",
      30_000,
    );
    assert.equal(zombie.process.role, 'child');
    const main = processRows(pv).find((r) => r.process.role === 'main');
    assert.ok(main, 'main process row');
    assert.equal(zombie.parentId, main.id, 'the zombie sits under the process that created it');
    assert.equal(pv.processes.getParent(zombie), main);
    assert.equal(zombie.process.createdAt?.line, 46, 'created at p.start()');
    assert.ok(pv.runs.isRunning);
    await done;
    assert.equal(pv.runs.isRunning, false);
    const after = processRows(pv).find((r) => r.process.pid === zombie.process.pid);
    assert.ok(after, 'the ended child is kept');
    assert.equal(after.process.state, 'exited');
    assert.equal(after.process.zombie, true, 'remembered as having been a zombie');
    assert.equal(after.process.reapedBy, main.process.pid);
    const snapshot = pv.store.current();
    assert.ok(snapshot?.lines.some((l) => l.site.line === 46 && l.processesStarted.includes(zombie.process.pid)), 'the p.start() line knows its pid');
  });

  it('hides ended processes on request and shows them again', async () => {
    const pv = await api();
    const before = processRows(pv).length;
    assert.ok(before >= 2);
    await vscode.commands.executeCommand('processView.hideExited');
    assert.equal(processRows(pv).length, 0, 'every process of the finished run has ended');
    assert.ok(pv.processes.hiddenCount >= 2);
    await vscode.commands.executeCommand('processView.showExited');
    assert.equal(processRows(pv).length, before);
  });

  it('logs the queue messages of 29_queue_two_processes.py in the Channels view and the timeline', async () => {
    const pv = await api();
    await vscode.commands.executeCommand('processView.run', vscode.Uri.file(join(examples, '29_queue_two_processes.py')));
    const channels = pv.channels.getChildren();
    const queue = channels.find((c) => c.kind === 'channel' && c.channel.kind === 'queue');
    assert.ok(queue, `a queue in ${JSON.stringify(channels.map((c) => c.kind === 'channel' && c.channel.kind))}`);
    const log = pv.channels.getChildren(queue);
    assert.ok(log.length > 0, 'the queue has messages');
    const first = log[0]!;
    assert.equal(first.kind, 'message');
    if (first.kind === 'message') {
      assert.ok(first.message.preview, 'a payload preview');
      assert.notEqual(first.message.fromPid, first.message.toPid);
    }
    // Clicking a message reveals both of its ends in the source.
    if (first.kind === 'message' && first.message.sentAt && first.message.receivedAt) {
      await vscode.commands.executeCommand('processView.revealMessage', first);
      const editor = vscode.window.activeTextEditor;
      assert.ok(editor);
      assert.equal(editor.document.uri.fsPath, first.message.sentAt.file);
      const lines = editor.selections.map((sel) => sel.start.line + 1).sort((a, b) => a - b);
      assert.deepEqual(lines, [first.message.sentAt.line, first.message.receivedAt.line].sort((a, b) => a - b));
      // Hovering the line that sent it shows the line's recent history (built on hover).
      const hoverText = async (line: number): Promise<string> => {
        const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', editor.document.uri, new vscode.Position(line - 1, 0));
        return hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
      };
      const sentHover = await hoverText(first.message.sentAt.line);
      assert.match(sentHover, /Recent messages:/, sentHover);
      assert.ok(sentHover.includes(`${first.message.fromPid} → `), sentHover);
      assert.doesNotMatch(await hoverText(1), /Recent messages:/, 'a line that passed no message has no history');
    } else {
      assert.fail(`the message has no sender or receiver line: ${JSON.stringify(first)}`);
    }
    await vscode.commands.executeCommand('processView.showTimeline');
    const update = await poll(() => (pv.timeline.sent.messages > 0 ? pv.timeline.sent.update : undefined), 'the timeline data', 15_000);
    assert.ok(update.lanes.length >= 3);
    assert.ok(pv.timeline.sent.messages > 0);
  });

  it('gives the next run the same terminal, renamed, and a new one once the user has closed it', async () => {
    await api();
    const dir = mkdtempSync(join(tmpdir(), 'pv-terminal-'));
    const first = join(dir, 'first.py');
    const second = join(dir, 'second.py');
    writeFileSync(first, 'print("first")\n');
    writeFileSync(second, 'print("second")\n');
    const ours = (): vscode.Terminal[] => vscode.window.terminals.filter((t) => t.name.startsWith('Process View: '));
    await vscode.commands.executeCommand('processView.run', vscode.Uri.file(first));
    const terminal = await poll(() => ours().find((t) => t.name.endsWith('first.py')), 'the first run terminal');
    await vscode.commands.executeCommand('processView.run', vscode.Uri.file(second));
    await poll(() => terminal.name.endsWith('second.py'), `the terminal renamed for the second run (it is "${terminal.name}")`);
    assert.deepEqual(
      ours().map((t) => t.name),
      [terminal.name],
      'one terminal of ours',
    );
    assert.ok(terminal.exitStatus === undefined, 'still open');
    // The user closes it: the next run gets a new terminal.
    const closed = new Promise<void>((resolve) => {
      const sub = vscode.window.onDidCloseTerminal((t) => {
        if (t === terminal) {
          sub.dispose();
          resolve();
        }
      });
    });
    terminal.dispose();
    await closed;
    await vscode.commands.executeCommand('processView.run', vscode.Uri.file(first));
    const next = await poll(() => ours().find((t) => t.name.endsWith('first.py')), 'a new run terminal');
    assert.notEqual(next, terminal);
    assert.equal(ours().length, 1);
  });

  it('passes what is typed in the run terminal to the script stdin', async () => {
    const pv = await api();
    const dir = mkdtempSync(join(tmpdir(), 'pv-stdin-'));
    const out = join(dir, 'answer.txt');
    const script = join(dir, 'ask.py');
    writeFileSync(script, `name = input('name? ')\nwith open(${JSON.stringify(out)}, 'w') as f:\n    f.write('hello ' + name)\n`);
    const done = vscode.commands.executeCommand('processView.run', vscode.Uri.file(script));
    await poll(() => pv.runs.isRunning, 'the run to start');
    const terminal = await poll(() => vscode.window.terminals.find((t) => t.name.endsWith('ask.py')), 'the run terminal');
    terminal.sendText('world', true);
    await done;
    assert.ok(existsSync(out), 'the script finished after reading stdin');
    assert.equal(readFileSync(out, 'utf8'), 'hello world');
  });
});

describe('Open Recording and scrubbing', function () {
  this.timeout(240_000); // a hang guard: every wait below is a bounded poll (runs start slowly on a busy machine)

  it('opens the recording of a run in the same views and shows the tree as it was at a moment', async () => {
    const pv = await api();
    await vscode.commands.executeCommand('processView.run', vscode.Uri.file(join(examples, '10_join_many.py')));
    const file = pv.runs.recordingPath;
    assert.ok(file && existsSync(file), `the run was recorded (${file})`);
    const live = pv.store.current();
    assert.ok(live);
    await vscode.commands.executeCommand('processView.openRecording', vscode.Uri.file(file));
    assert.equal(pv.store.origin?.kind, 'recording');
    const loaded = pv.store.current();
    assert.ok(loaded);
    assert.deepEqual(
      loaded.processes.map((p) => [p.pid, p.state]),
      live.processes.map((p) => [p.pid, p.state]),
      'the recording rebuilds the same processes',
    );
    // Scrub to just after the main process started: its children are not there yet.
    const main = loaded.processes.find((p) => p.role === 'main');
    assert.ok(main);
    const children = loaded.processes.filter((p) => p.parentPid === main.pid);
    assert.ok(children.length >= 2);
    const firstChild = Math.min(...children.map((c) => c.startedMs));
    pv.store.scrubTo(Math.max(main.startedMs, firstChild - 1));
    const before = processRows(pv).map((r) => r.process.pid);
    assert.ok(before.includes(main.pid));
    assert.ok(children.every((c) => !before.includes(c.pid)), 'no child before the first start');
    const lastEnd = Math.max(...children.map((c) => c.exitedMs ?? 0));
    pv.store.scrubTo(lastEnd + 1);
    const endedRows = processRows(pv).filter((r) => children.some((c) => c.pid === r.process.pid));
    assert.equal(endedRows.length, children.length);
    pv.store.scrubTo(null);
    assert.equal(pv.store.scrubbedTo, null);
  });
});

describe('Stop', function () {
  this.timeout(240_000); // a hang guard: every wait below is a bounded poll (runs start slowly on a busy machine)
  // A failed assertion must not leave a never-ending run behind.
  afterEach(async () => {
    const pv = await api();
    if (pv.runs.isRunning) await pv.runs.stop();
  });

  it('ends a script that never ends, with every process it started', async () => {
    const pv = await api();
    const dir = mkdtempSync(join(tmpdir(), 'pv-stop-'));
    const script = join(dir, 'forever.py');
    writeFileSync(
      script,
      [
        'import multiprocessing as mp, time',
        'def spin():',
        '    while True: time.sleep(0.1)',
        "if __name__ == '__main__':",
        '    for _ in range(3): mp.Process(target=spin).start()',
        '    while True: time.sleep(0.1)',
        '',
      ].join('\n'),
    );
    const done = vscode.commands.executeCommand('processView.run', vscode.Uri.file(script));
    const rows = await poll(() => {
      // Rows of this run only (the views showed the previous session until it started).
      const origin = pv.store.origin;
      if (!pv.runs.isRunning || origin?.kind !== 'run' || origin.script !== script) return undefined;
      const r = processRows(pv);
      return r.filter((row) => row.process.state !== 'starting').length >= 4 ? r : undefined;
    }, 'the main process and its three children');
    const pids = rows.map((r) => r.process.pid);
    await vscode.commands.executeCommand('processView.stop');
    await done;
    assert.equal(pv.runs.isRunning, false);
    const alive = pids.filter((pid) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    });
    assert.deepEqual(alive, [], 'no process of the run is left');
  });
});

describe('Pools and process actions', function () {
  this.timeout(240_000); // a hang guard: every wait below is a bounded poll (runs start slowly on a busy machine)
  afterEach(async () => {
    const pv = await api();
    if (pv.runs.isRunning) await pv.runs.stop();
  });

  it('groups the workers of 50_pool_map.py under a pool row', async () => {
    const pv = await api();
    await vscode.commands.executeCommand('processView.run', vscode.Uri.file(join(examples, '50_pool_map.py')));
    const pools = allRows(pv).filter((r) => r.kind === 'pool');
    assert.ok(pools.length >= 1, 'a pool row');
    const workers = pools.flatMap((p) => p.children);
    assert.ok(workers.length >= 2, 'workers under it');
    for (const w of workers) assert.ok(w.kind === 'process' && w.process.role === 'pool-worker');
    assert.equal(pv.processes.getParent(workers[0]!), pools[0]);
  });

  it('terminates one process from the tree and copies a PID', async () => {
    const pv = await api();
    const dir = mkdtempSync(join(tmpdir(), 'pv-actions-'));
    const script = join(dir, 'two.py');
    writeFileSync(
      script,
      [
        'import multiprocessing as mp, time',
        'def spin():',
        '    while True: time.sleep(0.1)',
        "if __name__ == '__main__':",
        '    ps = [mp.Process(target=spin) for _ in range(2)]',
        '    for p in ps: p.start()',
        '    for p in ps: p.join()',
        '',
      ].join('\n'),
    );
    const done = vscode.commands.executeCommand('processView.run', vscode.Uri.file(script));
    const children = await poll(() => {
      const origin = pv.store.origin;
      if (!pv.runs.isRunning || origin?.kind !== 'run' || origin.script !== script) return undefined;
      const kids = processRows(pv).filter((r) => r.process.role === 'child' && (r.process.state === 'running' || r.process.state === 'sleeping'));
      return kids.length === 2 ? kids : undefined;
    }, 'two live children');
    const [victim, other] = children as [ProcessRow, ProcessRow];
    await vscode.commands.executeCommand('processView.copyPid', other);
    assert.equal(await vscode.env.clipboard.readText(), String(other.process.pid));
    await vscode.commands.executeCommand('processView.terminateProcess', victim);
    const killed = await poll(() => processRows(pv).find((r) => r.process.pid === victim.process.pid && r.process.state === 'killed'), 'the terminated child shown as killed');
    assert.equal(killed.process.signal, 'SIGTERM');
    assert.ok(pv.runs.isRunning, 'the rest of the run goes on');
    await vscode.commands.executeCommand('processView.killProcess', other);
    await done;
    const last = processRows(pv).find((r) => r.process.pid === other.process.pid);
    assert.equal(last?.process.signal, 'SIGKILL');
  });
});
