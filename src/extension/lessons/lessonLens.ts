/**
 * "Start the Lesson: …" at the top of an example that a shipped lesson walks through, so that a
 * learner reading the example (opened from Open Example, the walkthrough or the Explorer) finds
 * the guided run of it without knowing the command. A copy of the example (the same text
 * elsewhere: a course folder, a workspace the examples were copied into) offers it too; the
 * lesson runs the shipped example, whose lines it was checked against.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { lessonText, type LoadedLesson } from '../../core/lessons';
import { Commands } from '../ids';
import type { Logger } from '../log';
import { shippedLessons, uiLanguage } from './catalog';

const t = vscode.l10n.t;

/** File systems that ignore case (Windows, and macOS by default) name one file several ways. */
const key = (file: string): string => (process.platform === 'linux' ? path.resolve(file) : path.resolve(file).toLowerCase());

export class LessonLens implements vscode.CodeLensProvider, vscode.Disposable {
  /** The shipped lessons by their script's path and by its text, read when the first Python file is shown. */
  private byScript: Map<string, LoadedLesson[]> | undefined;
  private readonly byText = new Map<string, LoadedLesson[]>();
  private readonly registration: vscode.Disposable;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly log: Logger,
  ) {
    this.registration = vscode.languages.registerCodeLensProvider({ scheme: 'file', language: 'python' }, this);
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    if (!this.byScript) {
      this.byScript = new Map();
      for (const l of shippedLessons(this.extensionUri, this.log)) {
        const k = key(l.script);
        this.byScript.set(k, [...(this.byScript.get(k) ?? []), l]);
        try {
          const text = readFileSync(l.script, 'utf8');
          this.byText.set(text, [...(this.byText.get(text) ?? []), l]);
        } catch {
          // loaded a moment ago: gone meanwhile, the path still serves
        }
      }
    }
    const top = new vscode.Range(0, 0, 0, 0);
    const lessons = this.byScript.get(key(document.uri.fsPath)) ?? this.byText.get(document.getText()) ?? [];
    return lessons.map(
      (l) =>
        new vscode.CodeLens(top, {
          title: t('$(mortar-board) Start the Lesson: {0}', lessonText(l.lesson.title, uiLanguage())),
          command: Commands.startLesson,
          arguments: [l.lesson.id],
        }),
    );
  }

  dispose(): void {
    this.registration.dispose();
  }
}
