/** In-app navigation through the history API; the app listens for NAVIGATE_EVENT and popstate. */

export const NAVIGATE_EVENT = 'console-navigate';

export function navigate(path: string, options: { replace?: boolean } = {}): void {
  if (options.replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  window.dispatchEvent(new CustomEvent(NAVIGATE_EVENT));
}

/** The current URL's query parameter, or '' when absent. */
export function queryParam(name: string): string {
  return new URLSearchParams(location.search).get(name) ?? '';
}

let headingFocusWanted = false;

/** After a navigation, the next page to render moves the focus to its heading (screen readers then announce it). */
export function wantHeadingFocus(): void {
  headingFocusWanted = true;
}

/** Called by a page once it has rendered: focuses its h1 if a navigation asked for it. */
export function takeHeadingFocus(root: ParentNode): void {
  if (!headingFocusWanted) return;
  const heading = root.querySelector<HTMLElement>('h1');
  if (!heading) return;
  headingFocusWanted = false;
  heading.focus();
}
