/**
 * Content strings hold `{{ expression }}` placeholders (spec §4.7). Splitting is shared by the
 * write-time check and the renderer so both see the same expressions.
 */
export type TemplatePart = { kind: 'text'; text: string } | { kind: 'expr'; expr: string };

const PLACEHOLDER = /\{\{([\s\S]*?)\}\}/g;

/** Literal text and trimmed expressions, in order. An unclosed `{{` stays literal text. */
export function splitTemplate(text: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let last = 0;
  for (const m of text.matchAll(PLACEHOLDER)) {
    const start = m.index ?? 0;
    if (start > last) parts.push({ kind: 'text', text: text.slice(last, start) });
    parts.push({ kind: 'expr', expr: m[1].trim() });
    last = start + m[0].length;
  }
  if (last < text.length) parts.push({ kind: 'text', text: text.slice(last) });
  return parts;
}

/** The expressions of a content string (empty placeholders included, as ''). */
export function templateExpressions(text: string): string[] {
  const out: string[] = [];
  for (const part of splitTemplate(text)) if (part.kind === 'expr') out.push(part.expr);
  return out;
}

export function hasPlaceholders(text: string): boolean {
  return text.includes('{{') && templateExpressions(text).length > 0;
}
