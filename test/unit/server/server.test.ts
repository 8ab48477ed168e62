// The language server over real LSP on stdio, with the real Python analyzer behind it.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { StreamMessageReader, StreamMessageWriter, createMessageConnection } from 'vscode-jsonrpc/node';
import { AnalyzerWorker } from '../../../src/server/analyzerWorker';
import { toUtf16 } from '../../../src/server/positions';
import type { ServerOptions } from '../../../src/server/protocol';

// Bundled into out/test/unit/server/: find the repository by its package.json.
function repoRoot(dir: string): string {
  return existsSync(join(dir, 'package.json')) ? dir : repoRoot(dirname(dir));
}
const root = repoRoot(__dirname);
const analyzerPath = join(root, 'analyzer', 'mp_lint.py');
const python = process.env.PROCESS_VIEW_TEST_PYTHON ?? 'python3';

test('code-point columns become UTF-16 columns only past astral characters', () => {
  assert.deepEqual(toUtf16(['a = "主"; b'], { line: 0, character: 9 }), { line: 0, character: 9 });
  assert.deepEqual(toUtf16(['x = "😀"; y'], { line: 0, character: 9 }), { line: 0, character: 10 });
  assert.deepEqual(toUtf16([], { line: 3, character: 2 }), { line: 3, character: 2 });
});

test('the worker reports a missing interpreter instead of hanging', async () => {
  const logs: string[] = [];
  const worker = new AnalyzerWorker('/nonexistent/python3', analyzerPath, (m) => logs.push(m), 5000);
  const reply = await worker.analyze('x = 1\n', 'en');
  worker.dispose();
  assert.match(reply.error ?? '', /cannot start \/nonexistent\/python3/);
});

test('the worker survives an analyzer that is killed and answers again', async () => {
  const worker = new AnalyzerWorker(python, analyzerPath, () => undefined, 10_000);
  const first = await worker.analyze('from multiprocessing import Pool\np = Pool()\np.join()\n', 'en');
  assert.ok(first.findings?.some((f) => f.code === 'pool-join-before-close'));
  // Kill the Python process behind its back; the next request starts a new one.
  const proc = (worker as unknown as { proc?: { kill(signal: string): void; once(e: string, f: () => void): void } }).proc;
  assert.ok(proc);
  await new Promise<void>((resolve) => {
    proc.once('exit', () => resolve());
    proc.kill('SIGKILL');
  });
  const second = await worker.analyze('if __name__ == "__main__":\n    pass\n', 'en');
  worker.dispose();
  assert.equal(second.mainGuardLine, 0);
});

let server: ReturnType<typeof spawn>;
let connection: ReturnType<typeof createMessageConnection>;
const diagnostics = new Map<string, { code: string; message: string; data: unknown; range: unknown }[]>();
const waiters: (() => void)[] = [];

before(async () => {
  server = spawn(process.execPath, [join(root, 'out', 'server.js'), '--stdio'], { stdio: 'pipe' });
  server.on('exit', (code) => {
    if (code) throw new Error(`the language server exited with code ${code}`);
  });
  connection = createMessageConnection(new StreamMessageReader(server.stdout!), new StreamMessageWriter(server.stdin!));
  connection.onNotification('textDocument/publishDiagnostics', (p: { uri: string; diagnostics: never[] }) => {
    diagnostics.set(p.uri, p.diagnostics);
    waiters.splice(0).forEach((w) => w());
  });
  connection.onRequest('workspace/codeLens/refresh', () => null);
  connection.listen();
  const initializationOptions: ServerOptions = {
    analyzerPath,
    pythonPath: python,
    language: 'zh-cn',
    runCommand: 'processView.run',
    runTitle: '用 Process View 运行',
  };
  await connection.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {}, initializationOptions });
  await connection.sendNotification('initialized', {});
});

after(() => {
  connection.dispose();
  server.kill();
});

async function diagnosticsFor(uri: string, deadlineMs = 15_000) {
  const end = Date.now() + deadlineMs;
  while (!diagnostics.has(uri)) {
    if (Date.now() > end) throw new Error(`no diagnostics for ${uri} within ${deadlineMs} ms`);
    await new Promise<void>((resolve) => {
      waiters.push(resolve);
      setTimeout(resolve, 200);
    });
  }
  return diagnostics.get(uri)!;
}

test('LSP: diagnostics in the display language, a quick fix that adds the comma, a run lens', async () => {
  const uri = 'file:///tmp/args_demo.py';
  const text = "from multiprocessing import Process\ndef f(x): pass\nif __name__ == '__main__':\n    p = Process(target=f, args=('egon'))\n    p.start()\n    p.join()\n";
  await connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text } });
  const found = await diagnosticsFor(uri);
  assert.deepEqual(found.map((d) => d.code), ['args-not-tuple']);
  assert.match(found[0]!.message, /不是元组/);

  const actions = (await connection.sendRequest('textDocument/codeAction', {
    textDocument: { uri },
    range: found[0]!.range,
    context: { diagnostics: found },
  })) as { title: string; edit: { changes: Record<string, { newText: string; range: { start: { line: number; character: number } } }[]> } }[];
  assert.equal(actions.length, 1);
  const edit = actions[0]!.edit.changes[uri]![0]!;
  assert.equal(edit.newText, ',');
  const line = text.split('\n')[edit.range.start.line]!;
  assert.equal(line.slice(0, edit.range.start.character) + ',' + line.slice(edit.range.start.character), "    p = Process(target=f, args=('egon',))");

  const lenses = (await connection.sendRequest('textDocument/codeLens', { textDocument: { uri } })) as {
    range: { start: { line: number } };
    command: { command: string; title: string; arguments: unknown[] };
  }[];
  assert.equal(lenses.length, 1);
  assert.equal(lenses[0]!.range.start.line, 2);
  assert.equal(lenses[0]!.command.command, 'processView.run');
  assert.deepEqual(lenses[0]!.command.arguments, [uri]);
});

test('LSP: a file with a syntax error gets no findings and the server keeps serving', async () => {
  const uri = 'file:///tmp/broken.py';
  await connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text: 'def f(:\n' } });
  assert.deepEqual(await diagnosticsFor(uri), []);
});

/** Applies LSP text edits (non-overlapping, UTF-16 positions) to a text, last one first. */
function applyEdits(text: string, edits: readonly { range: { start: { line: number; character: number }; end: { line: number; character: number } }; newText: string }[]): string {
  const lines = text.split('\n');
  const offset = (p: { line: number; character: number }): number =>
    lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  const sorted = [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start));
  let out = text;
  for (const e of sorted) out = out.slice(0, offset(e.range.start)) + e.newText + out.slice(offset(e.range.end));
  return out;
}

test('LSP: the guidelines checks arrive as diagnostics, and the join-before-drain fix reads the queue first', async () => {
  const uri = 'file:///tmp/join_before_drain.py';
  const text = [
    'from multiprocessing import Process, Queue, Lock',
    'def f(q, lock):',
    '    lock.acquire()',
    "    q.put('X' * 1000000)",
    '    lock.release()',
    "if __name__ == '__main__':",
    '    queue, lock = Queue(), Lock()',
    '    p = Process(target=f, args=(queue, lock))',
    '    p.start()',
    '    p.join()',
    '    obj = queue.get()',
    '',
  ].join('\n');
  await connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text } });
  const found = await diagnosticsFor(uri);
  assert.deepEqual(found.map((d) => d.code), ['acquire-without-finally', 'join-before-drain']);
  const join = found[1]!;
  assert.match(join.message, /死锁/); // the server was started in Chinese
  assert.deepEqual((join.range as { start: unknown }).start, { line: 9, character: 4 });
  const actions = (await connection.sendRequest('textDocument/codeAction', {
    textDocument: { uri },
    range: join.range,
    context: { diagnostics: [join] },
  })) as { title: string; edit: { changes: Record<string, Parameters<typeof applyEdits>[1]> } }[];
  assert.equal(actions.length, 1);
  assert.equal(actions[0]!.title, '先读取队列，再 join()');
  const fixed = applyEdits(text, actions[0]!.edit.changes[uri]!);
  assert.match(fixed, /obj = queue\.get\(\)\n {4}p\.join\(\)\n$/);
  assert.equal(fixed.split('\n').length, text.split('\n').length);
});
