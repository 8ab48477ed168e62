/**
 * The adapter speaks the client's language (issue 13): DAP's initialize carries `locale` (VS Code
 * sends its display language); a zh-cn client gets the thread names, stop descriptions, scope
 * names, Process scope rows and errors in Chinese, from the one l10n table (core/l10n.ts).
 * A client without a locale gets English (every other test here).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fakeNewerPython } from '../fixtures/newerPython';
import { DapClient, lineOf, PYTHON, script, waitThread, withRun } from './harness';

const CHILD = `import multiprocessing as mp

def work(n):
    total = n * 2  # BP
    return total

if __name__ == "__main__":
    mp.set_start_method("fork")
    p = mp.Process(target=work, args=(21,), name="Worker")
    p.start()
    p.join()
`;

describe("the adapter in the client's language", { timeout: 300_000 }, () => {
  test('a zh-CN client: Chinese thread names, stop description, scopes and Process scope', async () => {
    const file = script('child.py', CHILD);
    await withRun(async ({ client: c, env }) => {
      await c.launch({ program: file, env }, { [file]: [lineOf(file, '# BP', CHILD)] }, { locale: 'zh-CN' });
      const worker = await waitThread(c, /^Worker · pid \d+ · \d+ 的子进程$/);
      const stop = await c.stopped((b) => b.threadId === worker);
      assert.equal(stop.description, '在断点处暂停');
      const [top] = await c.stack(worker);
      assert.deepEqual((await c.scopes(top!.id)).map((s) => s.name), ['局部变量', '全局变量', '进程']);
      const proc = await c.scope(worker, '进程');
      assert.equal(proc['名称'], 'Worker');
      assert.equal(proc['父进程 pid'], String((await c.threads()).find((t) => / · pid \d+$/.test(t.name))?.id));
      assert.equal(proc['调试器'], '在线程 MainThread 中暂停');
      await c.request('continue', { threadId: worker });
      assert.equal(await c.ended(), 0);
    });
  });

  test('a Python newer than the tested ones: the session starts with a note in the client\'s language, and runs as usual', { skip: process.platform === 'win32' && 'POSIX' }, async () => {
    const file = script('child.py', CHILD);
    const fake = fakeNewerPython(mkdtempSync(path.join(tmpdir(), 'pv-newer-')), PYTHON);
    for (const [locale, want] of [
      ['zh-CN', /^Python 3\.14\.0 比本版 Process View 测试过的版本（3\.9 至 3\.13）更新/],
      [undefined, /^Python 3\.14\.0 is newer than the versions this release of Process View is tested with \(3\.9 to 3\.13\)/],
    ] as const) {
      await withRun(async ({ client: c, env }) => {
        await c.launch({ program: file, env, python: fake }, {}, locale ? { locale } : {});
        assert.equal(await c.ended(), 0);
        assert.match(c.output('important'), want);
      });
    }
  });

  test('a zh-cn client gets a refused launch in Chinese; an English client in English', async () => {
    for (const [locale, want] of [
      ['zh-cn', /启动配置需要 "program"（要调试的 Python 脚本）或 "recording"/],
      [undefined, /The launch configuration needs "program"/],
    ] as const) {
      const c = new DapClient();
      try {
        await c.request('initialize', { adapterID: 'processview', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path', ...(locale ? { locale } : {}) });
        const r = (await c.raw('launch', { recording: '' })) as DebugProtocol.Response;
        assert.equal(r.success, false);
        const body = r.body as { error?: { format?: string } } | undefined;
        assert.match(`${r.message ?? ''} ${body?.error?.format ?? ''}`, want);
      } finally {
        await c.close();
      }
    }
  });
});
