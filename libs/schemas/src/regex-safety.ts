/**
 * Write-time regex checks for partner schemas: Ajv compiles `pattern`s with the `u` flag and runs
 * them on every request body, so a pattern with catastrophic backtracking would let one request
 * pin a CPU. `recheck` decides (automaton analysis first, which is exact and fast; its fuzzing
 * checker when the automaton gives up), with a timeout so a check cannot hang a write.
 */
import { checkSync, type Diagnostics, type Parameters } from 'recheck';

export type RegexVerdict = { ok: true } | { ok: false; message: string };

const CHECK_TIMEOUT_MS = 1500;
const MAX_CACHED = 5000;
const verdicts = new Map<string, RegexVerdict>();

function runRecheck(source: string, params: Parameters): Diagnostics | undefined {
  try {
    return checkSync(source, 'u', params);
  } catch {
    return undefined;
  }
}

function analyse(source: string): RegexVerdict {
  try {
    new RegExp(source, 'u');
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return { ok: false, message: `is not a valid regular expression (unicode mode): ${why}` };
  }
  let result = runRecheck(source, { checker: 'automaton', timeout: CHECK_TIMEOUT_MS });
  if (!result || result.status === 'unknown') result = runRecheck(source, { timeout: CHECK_TIMEOUT_MS });
  if (result?.status === 'vulnerable') {
    const attack = result.attack?.pattern ? `, e.g. ${result.attack.pattern}` : '';
    return {
      ok: false,
      message: `is vulnerable to catastrophic backtracking (${result.complexity.summary}${attack}); rewrite it without nested or overlapping repetition`,
    };
  }
  // safe, or unknown (analysis timed out or unsupported syntax): cannot be shown vulnerable, accepted
  return { ok: true };
}

/**
 * Whether a JSON Schema `pattern` is a valid unicode regex without catastrophic backtracking.
 * Cached per source. Past `deadline` (epoch ms) an unchecked pattern is refused rather than
 * analysed, so one document full of complex patterns cannot hold a write for minutes.
 */
export function checkRegexSafety(source: string, deadline = Number.POSITIVE_INFINITY): RegexVerdict {
  const cached = verdicts.get(source);
  if (cached) return cached;
  if (Date.now() > deadline) {
    return { ok: false, message: 'could not be checked for catastrophic backtracking in time (too many complex patterns in this schema)' };
  }
  const verdict = analyse(source);
  if (verdicts.size >= MAX_CACHED) verdicts.clear();
  verdicts.set(source, verdict);
  return verdict;
}
