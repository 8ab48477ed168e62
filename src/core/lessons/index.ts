/**
 * Guided lessons (docs/lessons.md): lesson files are data (format.ts), a runner drives a debug
 * run through them (runner.ts), the loader reads them from disk (load.ts). No `vscode` here.
 */
export * from './format';
export * from './runner';
export * from './load';
