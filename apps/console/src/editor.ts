/**
 * The JSON editor of the Bundle and Preview pages (CodeMirror 6): highlighting, completion and
 * validation from a JSON Schema as you type, and problems the server reported, shown at their
 * paths until the text changes.
 */
import { json, jsonLanguage, jsonParseLinter } from '@codemirror/lang-json';
import { ensureSyntaxTree, syntaxTree } from '@codemirror/language';
import { forceLinting, linter, lintGutter, type Diagnostic } from '@codemirror/lint';
import { EditorState, Prec, StateEffect, StateField, type Extension } from '@codemirror/state';
import { EditorView, hoverTooltip, keymap } from '@codemirror/view';
import { disableErrorLogging } from 'best-effort-json-parser';
import { basicSetup } from 'codemirror';
import { handleRefresh, jsonCompletion, jsonSchemaHover, jsonSchemaLinter, stateExtensions, updateSchema } from 'codemirror-json-schema';
import { locatePath, parseBundlePath } from './bundle-path';

// the schema completion parses unfinished text (a bundle being typed) with best-effort-json-parser,
// which logs each thing it had to guess to the browser console: not an error of the page
disableErrorLogging();

export type EditorSchema = Parameters<typeof stateExtensions>[0];

export interface PathProblem {
  path: string;
  message: string;
}

const setServerProblems = StateEffect.define<PathProblem[]>();

const serverProblems = StateField.define<PathProblem[]>({
  create: () => [],
  update(problems, tr) {
    for (const effect of tr.effects) if (effect.is(setServerProblems)) return effect.value;
    return tr.docChanged ? [] : problems;
  },
});

/** The server's problems as diagnostics at their paths (those whose path is not in the text are left to the list). */
function serverDiagnostics(state: EditorState): Diagnostic[] {
  const problems = state.field(serverProblems);
  if (problems.length === 0) return [];
  const text = state.doc.toString();
  const tree = ensureSyntaxTree(state, state.doc.length, 500) ?? syntaxTree(state);
  const diagnostics: Diagnostic[] = [];
  for (const problem of problems) {
    const segments = parseBundlePath(problem.path);
    const range = segments && locatePath(tree, text, segments);
    if (!range) continue;
    diagnostics.push({
      from: range.from,
      to: range.to,
      severity: 'error',
      source: 'server',
      message: range.exact ? `${problem.path}: ${problem.message}` : `${problem.path} (missing): ${problem.message}`,
    });
  }
  return diagnostics;
}

export interface JsonEditorOptions {
  parent: HTMLElement;
  doc: string;
  /** the accessible name of the editable content */
  label: string;
  schema?: EditorSchema;
  readOnly?: boolean;
  onChange?: (text: string) => void;
  /** Ctrl/Cmd-S inside the editor */
  onSave?: () => void;
}

/** Shared by every JSON editor and diff view: JSON language, look, accessible name. */
export function jsonBase(label: string, readOnly: boolean): Extension[] {
  return [
    basicSetup,
    json(),
    EditorView.contentAttributes.of({ 'aria-label': label }),
    EditorView.lineWrapping,
    ...(readOnly ? [EditorState.readOnly.of(true), EditorView.editable.of(false)] : []),
  ];
}

export function createJsonEditor(options: JsonEditorOptions): EditorView {
  const extensions: Extension[] = [
    jsonBase(options.label, options.readOnly ?? false),
    lintGutter(),
    linter(jsonParseLinter(), { delay: 300 }),
    serverProblems,
    linter((view) => serverDiagnostics(view.state), { delay: 100 }),
  ];
  if (options.schema) {
    extensions.push(
      linter(jsonSchemaLinter(), { needsRefresh: handleRefresh, delay: 300 }),
      jsonLanguage.data.of({ autocomplete: jsonCompletion() }),
      hoverTooltip(jsonSchemaHover()),
      stateExtensions(options.schema),
    );
  }
  const onSave = options.onSave;
  if (onSave) {
    const run = (): boolean => {
      onSave();
      return true;
    };
    extensions.push(Prec.highest(keymap.of([{ key: 'Mod-s', run }])));
  }
  const onChange = options.onChange;
  if (onChange) extensions.push(EditorView.updateListener.of((update) => update.docChanged && onChange(update.state.doc.toString())));
  return new EditorView({ parent: options.parent, state: EditorState.create({ doc: options.doc, extensions }) });
}

/** Replaces the whole text (one undoable change). */
export function replaceText(view: EditorView, text: string): void {
  view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
}

/** Shows the server's problems at their paths (until the text changes) and scrolls to the first one found. */
export function showServerProblems(view: EditorView, problems: PathProblem[]): void {
  view.dispatch({ effects: setServerProblems.of(problems) });
  const first = serverDiagnostics(view.state)[0];
  if (first) view.dispatch({ effects: EditorView.scrollIntoView(first.from, { y: 'center' }) });
  forceLinting(view);
}

/** Changes the schema an editor completes and validates against. */
export function changeSchema(view: EditorView, schema: EditorSchema): void {
  updateSchema(view, schema);
}
