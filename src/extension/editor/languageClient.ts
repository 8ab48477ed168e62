/**
 * The language client: starts src/server (bundled as out/server.js) for Python files, with the
 * interpreter Process View runs scripts with. Only in a trusted workspace: the interpreter path
 * can come from workspace settings, and running it is running code.
 */
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions as NodeServerOptions } from 'vscode-languageclient/node';
import type { ServerOptions } from '../../server/protocol';
import { onConfigChange, readConfig } from '../config';
import { Commands, LanguageClientId, Settings } from '../ids';
import { findInterpreter } from '../run/interpreter';
import type { Logger } from '../log';

const RESTART_DEBOUNCE_MS = 500;

export class PythonChecks implements vscode.Disposable {
  private client: LanguageClient | undefined;
  /** Serialises start/stop so a burst of setting changes cannot start two servers. */
  private chain: Promise<void> = Promise.resolve();
  private restartTimer: NodeJS.Timeout | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: Logger,
  ) {
    this.disposables.push(
      onConfigChange([Settings.pythonPath], () => this.scheduleRestart()),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.scheduleRestart()),
    );
    if (vscode.workspace.isTrusted) void this.enqueue(() => this.start());
    else this.log.info('Python checks wait for workspace trust before starting an interpreter');
  }

  /** Stops the server and starts a new one, e.g. after the interpreter setting changed. */
  restart(): Promise<void> {
    return this.enqueue(async () => {
      await this.stop();
      await this.start();
    });
  }

  private scheduleRestart(): void {
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => void this.restart(), RESTART_DEBOUNCE_MS);
  }

  private enqueue(step: () => Promise<void>): Promise<void> {
    this.chain = this.chain.then(step).catch((error: unknown) => this.log.error('Python checks', error));
    return this.chain;
  }

  private async start(): Promise<void> {
    if (!vscode.workspace.isTrusted || this.client) return;
    const search = await findInterpreter(undefined, readConfig().pythonPath, this.log);
    if (!search.found) {
      this.log.warn(`Python checks are off: no interpreter (${search.tried.join('; ')})`);
      return;
    }
    const module = this.context.asAbsolutePath('out/server.js');
    const serverOptions: NodeServerOptions = {
      run: { module, transport: TransportKind.ipc },
      debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6011'] } },
    };
    const initializationOptions: ServerOptions = {
      analyzerPath: this.context.asAbsolutePath('analyzer/mp_lint.py'),
      pythonPath: search.found.info.executable,
      language: vscode.env.language,
      runCommand: Commands.run,
      runTitle: vscode.l10n.t('$(play) Run with Process View'),
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [{ scheme: 'file', language: 'python' }],
      initializationOptions,
      outputChannel: this.log.outputChannel,
      middleware: {
        // The server names the document by its URI string; the Run command wants a Uri.
        provideCodeLenses: async (document, token, next) => {
          const lenses = await next(document, token);
          const out: vscode.CodeLens[] = [];
          for (const lens of lenses ?? []) {
            out.push(lens);
            if (lens.command?.command !== Commands.run) continue;
            lens.command.arguments = [document.uri];
            // Debug beside Run, on the same main guard: the server knows one command, the client adds the other.
            out.push(new vscode.CodeLens(lens.range, { title: vscode.l10n.t('$(debug-alt) Debug with Process View'), command: Commands.debug, arguments: [document.uri] }));
          }
          return out;
        },
      },
    };
    const client = new LanguageClient(LanguageClientId, vscode.l10n.t('Process View checks'), serverOptions, clientOptions);
    this.client = client;
    await client.start();
    this.log.info(`Python checks started with ${search.found.info.executable}`);
  }

  private async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) await client.dispose(2000);
  }

  dispose(): void {
    if (this.restartTimer) clearTimeout(this.restartTimer);
    for (const d of this.disposables) d.dispose();
    void this.enqueue(() => this.stop());
  }
}
