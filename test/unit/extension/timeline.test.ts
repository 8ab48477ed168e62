import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { englishLocalize as t } from '../../../src/extension/models/format';
import { MaxArrows, projectTimeline } from '../../../src/extension/models/timelineData';
import { isHostToWebview, isWebviewToHost } from '../../../src/webview/shared/messages';
import { bigRun, producerConsumer, XSS } from './fixtures/snapshots';

describe('timeline projection', () => {
  it('has a lane per process, an arrow per message and a bar per real wait', () => {
    const { data, sites } = projectTimeline(producerConsumer(), 1, null, 80, t);
    assert.equal(data.lanes.length, 6);
    assert.equal(data.arrows.length, 3);
    assert.equal(data.waits.length, 1, 'the uncontended acquire is not drawn');
    assert.equal(data.waits[0]!.startMs, 450);
    assert.equal(data.arrows[2]!.text, `Queue put ${XSS}`);
    assert.equal(sites.length, data.sites.length);
    const lane = data.lanes.find((l) => l.pid === 102)!;
    assert.equal(data.sites[lane.site], 'producer.py:14');
    assert.deepEqual(sites[lane.site], { file: '/work/examples/producer.py', line: 14 });
    assert.ok(isHostToWebview({ type: 'data', data }));
  });

  it('stays bounded with 500 processes and 100,000 messages', () => {
    const snapshot = bigRun(500, 100_000);
    const start = process.cpuUsage(); // CPU time: wall time on a loaded machine measures the neighbours
    const { data } = projectTimeline(snapshot, 1, null, 80, t);
    const cpu = process.cpuUsage(start);
    const took = (cpu.user + cpu.system) / 1000;
    assert.equal(data.lanes.length, 500);
    assert.equal(data.arrows.length, MaxArrows);
    assert.equal(data.omittedArrows, 100_000 - MaxArrows);
    assert.ok(JSON.stringify(data).length < 2_000_000);
    assert.ok(took < 1000, `took ${took} ms of CPU`);
  });
});

describe('webview message validation', () => {
  it('accepts well-formed messages from the webview', () => {
    assert.ok(isWebviewToHost({ type: 'ready' }));
    assert.ok(isWebviewToHost({ type: 'reveal', generation: 3, site: 0 }));
    assert.ok(isWebviewToHost({ type: 'scrub', ms: 12.5 }));
    assert.ok(isWebviewToHost({ type: 'scrub', ms: null }));
  });

  it('rejects anything else', () => {
    for (const bad of [null, 'ready', {}, { type: 'eval' }, { type: 'reveal', generation: 1, site: -1 }, { type: 'reveal', generation: 1, site: '/etc/passwd' }, { type: 'scrub', ms: -1 }, { type: 'scrub', ms: Number.NaN }]) {
      assert.equal(isWebviewToHost(bad), false, JSON.stringify(bad));
    }
  });

  it('rejects malformed data for the webview', () => {
    const { data } = projectTimeline(producerConsumer(), 1, null, 80, t);
    assert.equal(isHostToWebview({ type: 'data', data: { ...data, lanes: [{ pid: 'x' }] } }), false);
    assert.equal(isHostToWebview({ type: 'strings', strings: { a: 1 } }), false);
  });
});
