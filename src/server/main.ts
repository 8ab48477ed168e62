/**
 * Process View's language server: multiprocessing mistakes as diagnostics with quick fixes,
 * and a "Run with Process View" code lens. The analysis itself is Python's own parser
 * (analyzer/mp_lint.py) in a worker process; this file is the LSP plumbing around it.
 */
import {
  CodeAction,
  CodeActionKind,
  CodeLensRefreshRequest,
  type CodeLens,
  type Diagnostic,
  DiagnosticSeverity,
  ProposedFeatures,
  TextDocumentSyncKind,
  TextDocuments,
  createConnection,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { AnalyzerWorker } from './analyzerWorker';
import { rangeToUtf16 } from './positions';
import type { DiagnosticData, ServerOptions } from './protocol';

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);
const DEBOUNCE_MS = 250;

let options: ServerOptions | undefined;
let worker: AnalyzerWorker | undefined;
const timers = new Map<string, NodeJS.Timeout>();
const guardLines = new Map<string, number | null>();

connection.onInitialize((params) => {
  options = params.initializationOptions as ServerOptions;
  worker = new AnalyzerWorker(options.pythonPath, options.analyzerPath, (m) => connection.console.log(m));
  return {
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
      codeLensProvider: { resolveProvider: false },
    },
  };
});

connection.onShutdown(() => worker?.dispose());

function schedule(doc: TextDocument): void {
  const previous = timers.get(doc.uri);
  if (previous) clearTimeout(previous);
  timers.set(
    doc.uri,
    setTimeout(() => {
      timers.delete(doc.uri);
      void analyze(doc.uri);
    }, DEBOUNCE_MS),
  );
}

async function analyze(uri: string): Promise<void> {
  const doc = documents.get(uri);
  if (!doc || !worker || !options) return;
  const version = doc.version;
  const text = doc.getText();
  const reply = await worker.analyze(text, options.language);
  const current = documents.get(uri);
  if (!current || current.version !== version) return; // a newer edit will be analysed
  if (reply.error) {
    connection.console.warn(`analysis of ${uri} failed: ${reply.error}`);
    return;
  }
  const lines = text.split(/\r?\n/);
  // Lens on the main guard; on line 1 of a multiprocessing script without one; else none.
  const lensLine = reply.mainGuardLine ?? (/\bmultiprocessing\b/.test(text) ? 0 : null);
  guardLines.set(uri, lensLine);
  const diagnostics: Diagnostic[] = (reply.findings ?? []).map((f) => {
    const data: DiagnosticData = f.fix ? { fix: f.fix } : {};
    return {
      range: rangeToUtf16(lines, f.range),
      severity: f.severity as DiagnosticSeverity,
      code: f.code,
      source: 'Process View',
      message: f.message,
      data,
    };
  });
  await connection.sendDiagnostics({ uri, version, diagnostics });
  // The code lens follows the guard line, which may have moved.
  connection.sendRequest(CodeLensRefreshRequest.type).catch(() => undefined);
}

documents.onDidOpen((e) => schedule(e.document));
documents.onDidChangeContent((e) => schedule(e.document));
documents.onDidClose((e) => {
  guardLines.delete(e.document.uri);
  void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
});

connection.onCodeAction((params) => {
  const doc = documents.get(params.textDocument.uri);
  if (!doc) return [];
  const lines = doc.getText().split(/\r?\n/);
  const actions: CodeAction[] = [];
  for (const diagnostic of params.context.diagnostics) {
    const fix = (diagnostic.data as DiagnosticData | undefined)?.fix;
    if (diagnostic.source !== 'Process View' || !fix) continue;
    const action = CodeAction.create(fix.title, {
      changes: {
        [doc.uri]: fix.edits.map((e) => ({ range: rangeToUtf16(lines, e.range), newText: e.newText })),
      },
    }, CodeActionKind.QuickFix);
    action.diagnostics = [diagnostic];
    action.isPreferred = true;
    actions.push(action);
  }
  return actions;
});

connection.onCodeLens((params): CodeLens[] => {
  if (!options) return [];
  const at = guardLines.get(params.textDocument.uri);
  if (at === undefined || at === null) return [];
  return [
    {
      range: { start: { line: at, character: 0 }, end: { line: at, character: 0 } },
      command: { title: options.runTitle, command: options.runCommand, arguments: [params.textDocument.uri] },
    },
  ];
});

documents.listen(connection);
connection.listen();
