/**
 * Reading lessons from disk: one file (`*.lesson.json`), checked against the format and against
 * its script (a line it pauses at must still say what the lesson claims), or every lesson in a folder.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { LESSON_TOPICS, LessonError, checkLessonAgainstScript, parseLesson, type Lesson } from './format';
import { lessonScriptPath } from './runner';

export const LESSON_SUFFIX = '.lesson.json';

export interface LoadedLesson {
  readonly lesson: Lesson;
  /** The lesson file, absolute. */
  readonly file: string;
  /** Its script, absolute. */
  readonly script: string;
}

/** Read and check a lesson file; throws a LessonError naming the file and each problem. */
export function loadLesson(file: string): LoadedLesson {
  const abs = path.resolve(file);
  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
  } catch (e) {
    throw new LessonError(abs, [`${abs}: cannot be read (${(e as Error).message})`]);
  }
  const lesson = parseLesson(text, abs);
  const script = lessonScriptPath(lesson, abs);
  if (!existsSync(script)) throw new LessonError(abs, [`${abs}: script: ${lesson.script} does not exist (looked for ${script})`]);
  const problems = checkLessonAgainstScript(lesson, readFileSync(script, 'utf8'), abs);
  if (problems.length > 0) throw new LessonError(abs, problems);
  return { lesson, file: abs, script };
}

/** Every lesson in a folder, by topic (the tutorials' order) then order; the files that failed, with why. */
export function loadLessons(dir: string): { lessons: LoadedLesson[]; errors: LessonError[] } {
  const lessons: LoadedLesson[] = [];
  const errors: LessonError[] = [];
  const names = existsSync(dir) ? readdirSync(dir).filter((n) => n.endsWith(LESSON_SUFFIX)).sort() : [];
  for (const name of names) {
    try {
      lessons.push(loadLesson(path.join(dir, name)));
    } catch (e) {
      errors.push(e instanceof LessonError ? e : new LessonError(path.join(dir, name), [`${path.join(dir, name)}: ${(e as Error).message}`]));
    }
  }
  const rank = (l: Lesson): number => LESSON_TOPICS.indexOf(l.topic);
  lessons.sort((a, b) => rank(a.lesson) - rank(b.lesson) || a.lesson.order - b.lesson.order || a.lesson.id.localeCompare(b.lesson.id));
  return { lessons, errors };
}
