import { extractPlaceholders, parseTemplate, templateSyntaxErrors, valueToText } from './template';

describe('templates', () => {
  it('splits text and placeholders, trimming expressions', () => {
    expect(parseTemplate('2 years of cover for {{ quote.price_formatted }}!')).toEqual([
      { kind: 'text', text: '2 years of cover for ' },
      { kind: 'expr', expr: 'quote.price_formatted' },
      { kind: 'text', text: '!' },
    ]);
    expect(parseTemplate('{{a}}{{ b }}')).toEqual([
      { kind: 'expr', expr: 'a' },
      { kind: 'expr', expr: 'b' },
    ]);
    expect(parseTemplate('')).toEqual([]);
    expect(parseTemplate('plain } text }}')).toEqual([{ kind: 'text', text: 'plain } text }}' }]);
  });

  it('extracts placeholders, ignoring braces inside strings and nested maps', () => {
    expect(extractPlaceholders('Protect your {{ context.item.title }} for {{ quote.price_formatted }}')).toEqual([
      'context.item.title',
      'quote.price_formatted',
    ]);
    expect(extractPlaceholders(`{{ "}}" + 'x' }} and {{ {'a': {'b': 1}}['a'] }}`)).toEqual([`"}}" + 'x'`, `{'a': {'b': 1}}['a']`]);
    expect(extractPlaceholders(`{{ 'it\\'s }}' }}`)).toEqual([`'it\\'s }}'`]);
    expect(extractPlaceholders('{{ """a }} b""" }}')).toEqual(['"""a }} b"""']);
    expect(extractPlaceholders('no placeholders')).toEqual([]);
  });

  it('keeps malformed placeholders as text, and reports them for write-time checks', () => {
    expect(parseTemplate('Hello {{ customer.name')).toEqual([{ kind: 'text', text: 'Hello {{ customer.name' }]);
    expect(extractPlaceholders('a {{ }} b')).toEqual([]);
    expect(templateSyntaxErrors('Hello {{ customer.name')).toEqual([expect.stringContaining('unterminated')]);
    expect(templateSyntaxErrors('a {{ }} b')).toEqual([expect.stringContaining('empty')]);
    expect(templateSyntaxErrors('a {{ x }} b')).toEqual([]);
    expect(templateSyntaxErrors('plain')).toEqual([]);
  });
});

describe('valueToText', () => {
  it('prints values as CEL does', () => {
    expect(valueToText('x')).toBe('x');
    expect(valueToText(5)).toBe('5');
    expect(valueToText(19.485)).toBe('19.485');
    expect(valueToText(0.1 + 0.2)).toBe('0.30000000000000004');
    expect(valueToText(12345678901234567890n)).toBe('12345678901234567890');
    expect(valueToText(true)).toBe('true');
    expect(valueToText(new Date('2026-12-01T00:00:00Z'))).toBe('2026-12-01T00:00:00Z');
    expect(valueToText(new Date('2026-12-01T00:00:00.250Z'))).toBe('2026-12-01T00:00:00.250Z');
    expect(valueToText(null)).toBe('');
    expect(valueToText(['a', 1n, 2.5])).toBe('a, 1, 2.5');
  });

  it('prints maps JSON-like and objects with their own text; refuses bytes', () => {
    expect(valueToText({ a: 1, b: 'x', c: [true, null] })).toBe('{"a": 1, "b": "x", "c": [true, null]}');
    expect(valueToText(new Map([['k', new Date('2026-01-01T00:00:00Z')]]))).toBe('{"k": "2026-01-01T00:00:00Z"}');
    class Duration {
      toString() {
        return '3600s';
      }
    }
    expect(valueToText(new Duration())).toBe('3600s');
    expect(() => valueToText(new Uint8Array([1]))).toThrow('bytes');
  });
});
