/* Waiting on conditions in the page (never a fixed time): Playwright's locators wait for elements;
   what they cannot express (a value to compare) is polled here. */
import type { Locator, Page } from 'playwright-core';

/** Polls `read` until `accept` holds for its value, and returns that value; fails with the last value seen after `timeoutMs`. */
export async function eventually<T>(what: string, read: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  let lastError: unknown;
  for (;;) {
    try {
      last = await read();
      if (accept(last)) return last;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const seen = lastError === undefined ? JSON.stringify(last) : lastError instanceof Error ? lastError.message : JSON.stringify(lastError);
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last seen: ${seen}`);
    }
    // the poll's interval: the page changes on its own time, nothing to subscribe to from here
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The text of an element as shown, shadow roots included (an element with one shows its shadow tree). */
export async function composedText(locator: Locator): Promise<string> {
  return locator.evaluate(
    (element) => {
      const textOf = (node: Node): string => {
        if (node.nodeType === Node.TEXT_NODE) return node.textContent ?? '';
        const children = node instanceof Element && node.shadowRoot ? node.shadowRoot.childNodes : node.childNodes;
        return Array.from(children, textOf).join('');
      };
      return textOf(element);
    },
    undefined,
    { timeout: 1000 },
  );
}

/** Waits until the element's text (shadow roots included) matches `expected`; returns the text. */
export async function textMatching(locator: Locator, expected: RegExp, timeoutMs?: number): Promise<string> {
  return eventually(
    `text matching ${String(expected)} in ${String(locator)}`,
    () => composedText(locator),
    (t) => expected.test(t),
    timeoutMs,
  );
}

/**
 * The whole text of a CodeMirror editor. The editor draws only the lines in view, so the text comes
 * from its state: the view an editor's DOM leads to (what `EditorView.findFromDOM` reads).
 */
export async function editorText(editor: Locator): Promise<string> {
  return editor.evaluate((content) => {
    type WithView = { view?: { state: { doc: { toString(): string } } } };
    const node = content as Element & { cmTile?: { root?: WithView }; cmView?: { rootView?: WithView } };
    const view = node.cmTile?.root?.view ?? node.cmView?.rootView?.view;
    if (!view) throw new Error('no CodeMirror view behind this element');
    return view.state.doc.toString();
  });
}

/** Replaces the whole content of a CodeMirror editor, typed as one input (select all, then insert the text). */
export async function replaceEditorText(page: Page, editor: Locator, text: string): Promise<void> {
  await editor.click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(text);
}

/**
 * Moves the focus to `target` with Tab (Shift+Tab when it comes before the focused element), as a
 * keyboard user goes through a page; an editor that keeps Tab for indentation is left with Escape
 * then Tab, CodeMirror's way out.
 */
export async function tabTo(page: Page, target: Locator, maxPresses = 80): Promise<void> {
  for (let i = 0; i < maxPresses; i++) {
    const where = await target.evaluate((el) => {
      const root = el.getRootNode();
      const active = root instanceof ShadowRoot ? root.activeElement : document.activeElement;
      if (active !== null && el.contains(active)) return 'reached';
      // the focus in the same (shadow) tree: their order there
      if (active !== null && root instanceof ShadowRoot) return active.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_PRECEDING ? 'before' : 'after';
      // the target, or the host holding it, in the document
      let inDocument: Element = el;
      for (let r = inDocument.getRootNode(); r instanceof ShadowRoot; r = inDocument.getRootNode()) inDocument = r.host;
      const focused = document.activeElement;
      if (focused === null || focused === document.body || focused === inDocument || focused.contains(inDocument)) return 'after';
      return focused.compareDocumentPosition(inDocument) & Node.DOCUMENT_POSITION_PRECEDING ? 'before' : 'after';
    });
    if (where === 'reached') return;
    const inEditor = await page.evaluate(() => document.activeElement?.closest('.cm-content') != null);
    if (inEditor) await page.keyboard.press('Escape');
    await page.keyboard.press(where === 'before' ? 'Shift+Tab' : 'Tab');
  }
  throw new Error(`${String(target)} never got the focus after ${maxPresses} key presses`);
}

/** `text` as a regular expression matching it literally (prices: `$107.88`). */
export function literally(text: string): RegExp {
  return new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
}
