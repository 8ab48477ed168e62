// What ships in the VSIX. Run after `npm run package` (npm test does); it fails, rather than
// skips, when the VSIX is missing, so a green run always looked inside a real package.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { inflateRawSync } from 'node:zlib';

const root = join(__dirname, '..', '..', '..', '..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  devDependencies?: Record<string, string>;
};
const vsixPath = process.env.PV_VSIX ?? join(root, `${manifest.name}-${manifest.version}.vsix`);

interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  localHeader: number;
}

/** The entries of a zip file, read from its central directory (a VSIX is a zip). */
function zipEntries(zip: Buffer): ZipEntry[] {
  // The end-of-central-directory record sits in the last 22 + 65535 (comment) bytes.
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  assert.ok(eocd >= 0, `${vsixPath} is not a zip file`);
  const count = zip.readUInt16LE(eocd + 10);
  let p = zip.readUInt32LE(eocd + 16);
  const entries: ZipEntry[] = [];
  for (let n = 0; n < count; n++) {
    assert.equal(zip.readUInt32LE(p), 0x02014b50, 'corrupt central directory');
    const nameLen = zip.readUInt16LE(p + 28);
    const extraLen = zip.readUInt16LE(p + 30);
    const commentLen = zip.readUInt16LE(p + 32);
    entries.push({
      name: zip.toString('utf8', p + 46, p + 46 + nameLen),
      method: zip.readUInt16LE(p + 10),
      compressedSize: zip.readUInt32LE(p + 20),
      localHeader: zip.readUInt32LE(p + 42),
    });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

/** The uncompressed bytes of one entry (stored or deflated, the two methods vsce writes). */
function zipRead(zip: Buffer, e: ZipEntry): Buffer {
  const h = e.localHeader;
  const start = h + 30 + zip.readUInt16LE(h + 26) + zip.readUInt16LE(h + 28);
  const data = zip.subarray(start, start + e.compressedSize);
  if (e.method === 0) return data;
  assert.equal(e.method, 8, `${e.name}: unexpected zip method ${e.method}`);
  return inflateRawSync(data);
}

describe('the packaged VSIX', () => {
  let zip: Buffer;
  try {
    zip = readFileSync(vsixPath);
  } catch {
    throw new Error(`${vsixPath} not found: run \`npm run package\` first`);
  }
  const zipped = zipEntries(zip);
  const entries = zipped.map((e) => e.name);
  // Files of the extension itself live under extension/ in a VSIX.
  const files = entries.filter((e) => e.startsWith('extension/')).map((e) => e.slice('extension/'.length));
  const has = (f: string) => files.includes(f);
  const under = (dir: string) => files.filter((f) => f.startsWith(`${dir}/`));

  it('holds the manifest and the bundled extension', () => {
    assert.ok(entries.includes('extension.vsixmanifest'), 'no extension.vsixmanifest');
    assert.ok(has('package.json'));
    assert.ok(has('out/extension.js'), 'out/extension.js (the bundle) is missing');
  });

  it('holds README, LICENSE and CHANGELOG', () => {
    // vsce renames them (readme.md, LICENSE.txt, changelog.md): compare without case or extension.
    const top = new Set(files.filter((f) => !f.includes('/')).map((f) => f.toLowerCase().replace(/\.(md|txt)$/, '')));
    for (const f of ['readme', 'license', 'changelog']) assert.ok(top.has(f), `${f} is missing from the VSIX`);
  });

  it('holds the Python tracer', () => {
    const py = under('tracer').filter((f) => f.endsWith('.py'));
    assert.ok(py.length > 0, `no tracer/*.py in the VSIX (tracer/ has: ${under('tracer').join(', ') || 'nothing'})`);
    assert.ok(py.some((f) => f.endsWith('sitecustomize.py')), 'the tracer has no sitecustomize.py');
  });

  it('holds the language server and its Python analyzer', () => {
    assert.ok(has('out/server.js'), 'out/server.js (the language server bundle) is missing');
    assert.ok(has('analyzer/mp_lint.py'), 'analyzer/mp_lint.py is missing: the Python checks would find nothing');
  });

  it('holds every file the manifest points at (icon, walkthrough media)', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      icon?: string;
      contributes?: { walkthroughs?: { steps: { media: Record<string, unknown> }[] }[] };
    };
    const wanted = [pkg.icon ?? ''];
    for (const w of pkg.contributes?.walkthroughs ?? []) {
      for (const step of w.steps) {
        for (const v of Object.values(step.media)) if (typeof v === 'string') wanted.push(v);
      }
    }
    for (const f of wanted.filter(Boolean)) assert.ok(has(f.replace(/^\.\//, '')), `${f} is named in package.json but not in the VSIX`);
  });

  it('holds the examples and the media', () => {
    assert.ok(under('examples').some((f) => f.endsWith('.py')), 'no examples/**/*.py in the VSIX');
    assert.ok(under('media').length > 0, 'no media/ in the VSIX');
    assert.ok(under('examples/lessons').some((f) => f.endsWith('.lesson.json')), 'no examples/lessons/*.lesson.json in the VSIX');
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { contributes?: { jsonValidation?: { url: string }[] } };
    for (const v of pkg.contributes?.jsonValidation ?? []) assert.ok(has(v.url.replace(/^\.\//, '')), `${v.url} (jsonValidation) is not in the VSIX`);
  });

  it('ships no TypeScript sources, tests, source maps, caches or dependencies', () => {
    const forbidden = files.filter(
      (f) =>
        (f.endsWith('.ts') && !f.endsWith('.d.ts')) ||
        f.endsWith('.map') ||
        f.endsWith('.pyc') ||
        f.includes('__pycache__/') ||
        /^(src|test|scripts|out\/test|bench|\.vscode-test|test-results)\//.test(f) ||
        (f.startsWith('docs/') && !f.startsWith('docs/images/')) ||
        f.startsWith('node_modules/') ||
        f.endsWith('.vsix') ||
        f === 'tsconfig.json' ||
        f.startsWith('.'),
    );
    assert.deepEqual(forbidden, [], `should not ship: ${forbidden.join(', ')}`);
  });

  it('bundles no dev dependency into the extension', () => {
    const entry = zipped.find((e) => e.name === 'extension/out/extension.js');
    assert.ok(entry);
    const bundle = zipRead(zip, entry).toString('utf8');
    assert.ok(bundle.length > 0);
    // Test and build tools must stay out of what runs in users' VS Code.
    const leaked = ['playwright-core', 'mocha', '@vscode/test-electron', '@vscode/vsce', 'esbuild', 'typescript-eslint']
      .filter((d) => bundle.includes(`require("${d}")`) || bundle.includes(`node_modules/${d}/`));
    assert.deepEqual(leaked, []);
  });
});
