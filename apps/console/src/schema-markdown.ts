/**
 * Stands in for codemirror-json-schema's markdown renderer (the build points the library's
 * `utils/markdown` import here): schema descriptions and validation messages become escaped text
 * with `code` spans, so no value typed in the editor is ever read as HTML, and the editor chunk
 * carries no markdown parser or syntax highlighter.
 */

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** The library's signature: HTML for its tooltips and messages. */
export function renderMarkdown(markdown: string, inline = true): string {
  const escaped = escapeHtml(String(markdown)).replace(/`([^`]+)`/g, '<code>$1</code>');
  return inline ? escaped : `<p>${escaped.replace(/\n{2,}/g, '</p><p>').replace(/\n/g, '<br>')}</p>`;
}
