/**
 * The only error a compiled expression throws while evaluating (missing key, division by zero,
 * wrong runtime type...). Callers turn it into their own outcome (a failed product, a 422 naming
 * the config); it is never a crash.
 */
export class ExpressionEvaluationError extends Error {
  constructor(
    /** the CEL source text that failed */
    readonly expression: string,
    /** one line, no source excerpt */
    message: string,
  ) {
    super(message);
    this.name = 'ExpressionEvaluationError';
  }
}

/** One line from a cel-js error (its `summary`, else the first line of the message). */
export function celErrorSummary(err: unknown): string {
  if (err && typeof err === 'object') {
    const summary = (err as { summary?: unknown }).summary;
    if (typeof summary === 'string' && summary) return summary;
    const message = (err as { message?: unknown }).message;
    if (typeof message === 'string' && message) return message.split('\n')[0].trim();
  }
  return String(err);
}
