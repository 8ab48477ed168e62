/**
 * The one shape every user-facing sentence goes through: `l10n.t`'s. Inside VS Code the extension
 * passes `vscode.l10n.t`; the standalone debug adapter passes a bundle's table (l10n.ts); the
 * command line and the tests pass `plain`, the English key with its `{0}`, `{1}`... filled in.
 *
 * No imports: the session, the replay, the debugger, the CLI and the views all use it.
 */

/** `l10n.t`-shaped: `{0}`, `{1}`... are replaced by the arguments. */
export type Localize = (message: string, ...args: Array<string | number | boolean>) => string;

/** English: the message itself, its placeholders filled in (one left as it is when its argument is missing). */
export const plain: Localize = (message, ...args) =>
  message.replace(/\{(\d+)\}/g, (whole, index: string) => {
    const value = args[Number(index)];
    return value === undefined ? whole : String(value);
  });
