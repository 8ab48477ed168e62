/**
 * The lessons a learner can pick: the shipped ones (examples/lessons in the extension), grouped
 * by topic as the tutorials are, with each lesson's progress (context.globalState), in the UI's
 * language. Loading and checking a lesson is the core's (src/core/lessons/load.ts).
 */
import * as vscode from 'vscode';
import { LESSON_TOPICS, LessonError, lessonText, loadLesson, loadLessons, type LessonTopic, type LoadedLesson } from '../../core/lessons';
import { StateKeys } from '../ids';
import type { Logger } from '../log';

const t = vscode.l10n.t;

/** The UI language, as lessons know it ('zh-cn' for any Chinese UI, else 'en'). */
export function uiLanguage(): string {
  return vscode.env.language.toLowerCase().startsWith('zh') ? 'zh-cn' : 'en';
}

export function topicLabel(topic: LessonTopic): string {
  const labels: Record<LessonTopic, string> = {
    'process-join': t('Process and join'),
    daemon: t('Daemon processes'),
    'zombie-orphan': t('Zombies and orphans'),
    'main-guard': t('The main guard'),
    lock: t('Lock'),
    queue: t('Queue: producer and consumer'),
    'joinable-queue': t('JoinableQueue'),
    pipe: t('Pipe'),
    manager: t('Sharing data: Manager, Value'),
    semaphore: t('Semaphore'),
    event: t('Event'),
    pool: t('Pool'),
    sockets: t('Sockets'),
  };
  return labels[topic];
}

export interface LessonProgress {
  /** Steps reached, at most (1-based count). */
  readonly done: number;
  readonly finished: boolean;
}

/** Progress per lesson id, kept across windows. */
export class LessonProgressStore {
  constructor(private readonly memento: vscode.Memento) {}

  private all(): Record<string, LessonProgress> {
    const saved = this.memento.get<unknown>(StateKeys.lessonProgress);
    return saved && typeof saved === 'object' ? (saved as Record<string, LessonProgress>) : {};
  }

  get(id: string): LessonProgress | undefined {
    return this.all()[id];
  }

  async reached(id: string, steps: number): Promise<void> {
    const was = this.get(id);
    await this.memento.update(StateKeys.lessonProgress, { ...this.all(), [id]: { done: Math.max(was?.done ?? 0, steps), finished: was?.finished ?? false } });
  }

  async finished(id: string, steps: number): Promise<void> {
    await this.memento.update(StateKeys.lessonProgress, { ...this.all(), [id]: { done: steps, finished: true } });
  }
}

/** The shipped lessons (logged and skipped when one is broken: a packaging mistake, not the learner's). */
export function shippedLessons(extensionUri: vscode.Uri, log: Logger): LoadedLesson[] {
  const { lessons, errors } = loadLessons(vscode.Uri.joinPath(extensionUri, 'examples', 'lessons').fsPath);
  for (const e of errors) log.error(`A shipped lesson does not load: ${e.message}`);
  return lessons;
}

interface LessonPick extends vscode.QuickPickItem {
  readonly loaded?: LoadedLesson;
}

/** The QuickPick of lessons: separators by topic, ✓ for finished, k/n for started ones. */
export async function pickLesson(lessons: readonly LoadedLesson[], progress: LessonProgressStore): Promise<LoadedLesson | undefined> {
  const language = uiLanguage();
  const items: LessonPick[] = [];
  for (const topic of LESSON_TOPICS) {
    const inTopic = lessons.filter((l) => l.lesson.topic === topic);
    if (inTopic.length === 0) continue;
    items.push({ label: topicLabel(topic), kind: vscode.QuickPickItemKind.Separator });
    for (const loaded of inTopic) {
      const p = progress.get(loaded.lesson.id);
      const n = loaded.lesson.steps.length;
      const state = p?.finished ? t('$(check) finished') : p && p.done > 0 ? t('{0}/{1} steps', p.done, n) : t('{0} steps', n);
      items.push({ label: lessonText(loaded.lesson.title, language), description: state, detail: loaded.script.split(/[\\/]/).pop(), loaded });
    }
  }
  const picked = await vscode.window.showQuickPick(items, { title: t('Start a Lesson'), placeHolder: t('Pick a lesson: its example runs under the debugger and pauses where the lesson explains it'), matchOnDetail: true });
  return picked?.loaded;
}

/** Open Lesson File: any *.lesson.json; a malformed one is reported with every field that is wrong. */
export async function pickLessonFile(log: Logger): Promise<LoadedLesson | undefined> {
  const uri = (await vscode.window.showOpenDialog({ canSelectMany: false, filters: { [t('Lesson')]: ['lesson.json', 'json'] }, openLabel: t('Open Lesson') }))?.[0];
  if (!uri) return undefined;
  return openLessonFile(uri, log);
}

export function openLessonFile(uri: vscode.Uri, log: Logger): LoadedLesson | undefined {
  try {
    return loadLesson(uri.fsPath);
  } catch (e) {
    const problems = e instanceof LessonError ? e.problems : [(e as Error).message];
    log.error(`The lesson ${uri.fsPath} does not load:\n${problems.join('\n')}`);
    const open = t('Open the File');
    void vscode.window
      .showErrorMessage(t('This lesson cannot be used: {0}', problems.join(' · ')), { modal: false }, open)
      .then((c) => (c === open ? vscode.window.showTextDocument(uri) : undefined));
    return undefined;
  }
}
