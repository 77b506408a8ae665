/** Pieces every page uses: its base class, the error alert, small formatting templates. */
import { html, LitElement, nothing, type TemplateResult } from 'lit';
import { ApiError, asApiError } from './api';
import { takeHeadingFocus } from './navigation';

/** A page renders into the light DOM, so the console stylesheet applies. */
export abstract class ConsolePage extends LitElement {
  protected error: ApiError | null = null;

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  protected override firstUpdated(): void {
    takeHeadingFocus(this);
  }

  /** Runs an API task: its error (if any) shows in the page's alert; answers undefined then. */
  protected async attempt<T>(task: () => Promise<T>): Promise<T | undefined> {
    this.error = null;
    this.requestUpdate();
    try {
      return await task();
    } catch (error) {
      this.error = asApiError(error);
      return undefined;
    } finally {
      this.requestUpdate();
    }
  }
}

/** The API error as an alert: its message, its code and each problem with its path. */
export function errorAlert(error: ApiError | null): TemplateResult | typeof nothing {
  if (!error) return nothing;
  const problems = Object.entries(error.problems).flatMap(([path, messages]) => messages.map((message) => ({ path, message })));
  return html`<div role="alert" class="alert">
    <p><strong>${error.message}</strong> <code class="error-code">${error.code}</code></p>
    ${
      problems.length > 0
        ? html`<ul aria-label="Problems" class="problems">
            ${problems.map((p) => html`<li><code class="path">${p.path}</code> <span>${p.message}</span></li>`)}
          </ul>`
        : nothing
    }
  </div>`;
}

/** A value as indented JSON in a <pre>. */
export function jsonBlock(value: unknown): TemplateResult {
  return html`<pre class="json">${JSON.stringify(value, null, 2)}</pre>`;
}

/** Visually hidden text for screen readers. */
export function srOnly(text: string): TemplateResult {
  return html`<span class="sr-only">${text}</span>`;
}
