/**
 * What the extension (language client) and the language server agree on, declared once.
 * Sent by the client in `initializationOptions`; the client restarts the server when any of it
 * changes (interpreter, language), so the server never caches a stale value.
 */
export interface ServerOptions {
  /** Absolute path of analyzer/mp_lint.py inside the installed extension. */
  readonly analyzerPath: string;
  /** The interpreter that runs the analyzer (the same one that runs scripts). */
  readonly pythonPath: string;
  /** VS Code's display language, e.g. "en" or "zh-cn": findings are worded in it. */
  readonly language: string;
  /** Command the "Run with Process View" code lens invokes with the document URI. */
  readonly runCommand: string;
  /** Title of that code lens, already localized by the client. */
  readonly runTitle: string;
}

/** One finding as the analyzer reports it (see analyzer/mp_lint.py). Positions are code points. */
export interface Finding {
  readonly code: string;
  readonly severity: 1 | 2 | 3 | 4;
  readonly range: Range;
  readonly message: string;
  readonly fix?: { readonly title: string; readonly edits: readonly TextEditSpec[] };
}

export interface Position { readonly line: number; readonly character: number }
export interface Range { readonly start: Position; readonly end: Position }
export interface TextEditSpec { readonly range: Range; readonly newText: string }

/** The analyzer's answer to one document. */
export interface AnalyzerReply {
  readonly id: number | null;
  readonly findings?: readonly Finding[];
  readonly mainGuardLine?: number | null;
  readonly error?: string;
}

/** Attached to each published diagnostic so a quick fix can be built without re-analysing. */
export interface DiagnosticData {
  readonly fix?: { readonly title: string; readonly edits: readonly TextEditSpec[] };
}
