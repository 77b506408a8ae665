import { CelEnvironment } from './cel-environment';
import { celValueToDate, celValueToNumber, celValueToText } from './cel-values';
import { ExpressionEvaluationError } from './expression-evaluation-error';
import { splitTemplate, templateExpressions } from './placeholders';

const env = CelEnvironment.forSchema({ properties: { context: { type: 'object', properties: { n: { type: 'number' } } } } });
const now = new Date('2026-06-01T00:00:00Z');
const run = (expr: string): unknown => env.compile(expr).evaluate({ customer: {}, context: { n: 1299 }, partner: {}, now });

describe('celValueToNumber', () => {
  it('takes doubles and ints', () => {
    expect(celValueToNumber(run('context.n * 0.015'))).toBe(19.485);
    expect(celValueToNumber(run('5'))).toBe(5);
  });

  it('refuses anything else with ExpressionEvaluationError', () => {
    for (const v of ['5', null, undefined, true, Number.NaN, Number.POSITIVE_INFINITY, new Date()]) {
      expect(() => celValueToNumber(v, 'expr')).toThrow(ExpressionEvaluationError);
    }
    expect(() => celValueToNumber('5', 'x')).toThrow('expected a number, got a string');
  });
});

describe('celValueToDate', () => {
  it('takes timestamps and RFC 3339 strings', () => {
    expect(celValueToDate(run("timestamp('2026-12-01T00:00:00Z')"))).toEqual(new Date('2026-12-01T00:00:00Z'));
    expect(celValueToDate('2026-12-01T10:00:00+10:00')).toEqual(new Date('2026-12-01T00:00:00Z'));
    expect(() => celValueToDate('2026-12-01')).toThrow(ExpressionEvaluationError);
    expect(() => celValueToDate(5)).toThrow(ExpressionEvaluationError);
  });
});

describe('celValueToText', () => {
  it('prints values as CEL does', () => {
    expect(celValueToText(run('5.0'))).toBe('5');
    expect(celValueToText(run('context.n * 0.015'))).toBe('19.485');
    expect(celValueToText(run('5'))).toBe('5');
    expect(celValueToText(run("timestamp('2026-12-01T00:00:00Z')"))).toBe('2026-12-01T00:00:00Z');
    expect(celValueToText(new Date('2026-12-01T00:00:00.250Z'))).toBe('2026-12-01T00:00:00.250Z');
    expect(celValueToText(run("'text'"))).toBe('text');
    expect(celValueToText(run('1.0 > 0.0'))).toBe('true');
    expect(celValueToText(run('null'))).toBe('null');
    expect(celValueToText(run("[1, 2]"))).toBe('[1, 2]');
    expect(celValueToText(run("{'a': 'b'}"))).toBe('{"a": "b"}');
    expect(celValueToText(run('context'))).toBe('{"n": 1299}');
    expect(celValueToText(run("duration('1h')"))).toBe('3600s');
  });
});

describe('placeholders', () => {
  it('splits text and trimmed expressions', () => {
    expect(splitTemplate('2 years for {{ quote.price_formatted }}!')).toEqual([
      { kind: 'text', text: '2 years for ' },
      { kind: 'expr', expr: 'quote.price_formatted' },
      { kind: 'text', text: '!' },
    ]);
    expect(templateExpressions('{{a}}{{ b }} {{ }} {{ unclosed')).toEqual(['a', 'b', '']);
  });
});
