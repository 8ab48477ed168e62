/** Open Example: a quick pick of the example programs that ship with the extension. */
import * as vscode from 'vscode';

const t = vscode.l10n.t;

export async function pickExample(extensionUri: vscode.Uri): Promise<void> {
  const folder = vscode.Uri.joinPath(extensionUri, 'examples');
  let files: vscode.Uri[] = [];
  try {
    files = await collectPython(folder);
  } catch {
    files = [];
  }
  if (files.length === 0) {
    void vscode.window.showInformationMessage(t('No examples are installed with this copy of Process View.'));
    return;
  }
  const items = files
    .map((uri) => ({ label: vscode.workspace.asRelativePath(uri, false).replace(/^.*examples[\\/]/, ''), uri }))
    .sort((a, b) => a.label.localeCompare(b.label));
  const picked = await vscode.window.showQuickPick(items, { placeHolder: t('Pick an example to open; then use Run with Process View') });
  if (!picked) return;
  await vscode.window.showTextDocument(picked.uri, { preview: false });
}

async function collectPython(folder: vscode.Uri): Promise<vscode.Uri[]> {
  const out: vscode.Uri[] = [];
  for (const [name, type] of await vscode.workspace.fs.readDirectory(folder)) {
    const uri = vscode.Uri.joinPath(folder, name);
    if (type === vscode.FileType.Directory && !name.startsWith('_') && !name.startsWith('.')) out.push(...(await collectPython(uri)));
    else if (type === vscode.FileType.File && name.endsWith('.py') && !name.startsWith('_')) out.push(uri);
  }
  return out;
}
