import { DomainError } from '@app/core';
import { nestsDeeperThan, undecodableBody } from './json-body';

describe('nestsDeeperThan', () => {
  const arrays = (depth: number): unknown => JSON.parse(`${'['.repeat(depth)}${']'.repeat(depth)}`);

  it('counts the outermost array or object as level 1, scalars as level 0', () => {
    expect(nestsDeeperThan(null, 0)).toBe(false);
    expect(nestsDeeperThan('[[[', 0)).toBe(false);
    expect(nestsDeeperThan([], 0)).toBe(true);
    expect(nestsDeeperThan([], 1)).toBe(false);
    expect(nestsDeeperThan({ a: { b: [1] } }, 3)).toBe(false);
    expect(nestsDeeperThan({ a: { b: [1] } }, 2)).toBe(true);
  });

  it('finds the deep branch among wide shallow ones', () => {
    const wide = { list: Array.from({ length: 1000 }, (_, i) => ({ i })), deep: arrays(10) };
    expect(nestsDeeperThan(wide, 11)).toBe(false);
    expect(nestsDeeperThan(wide, 10)).toBe(true);
  });

  it('walks a million levels without overflowing the call stack', () => {
    expect(nestsDeeperThan(arrays(1_000_000), 64)).toBe(true);
    expect(nestsDeeperThan(arrays(1_000_000), 1_000_000)).toBe(false);
  });
});

describe('undecodableBody', () => {
  it('turns the bare 400 of a body that is not its Content-Encoding into a 400 malformed_request', () => {
    // what body-parser hands on when gunzip fails: an http-errors BadRequestError, no `type`
    const badRequest = Object.assign(new Error('Bad Request'), { name: 'BadRequestError', status: 400, statusCode: 400, expose: true });
    const mapped = undecodableBody(badRequest, 'gzip');
    expect(mapped).toBeInstanceOf(DomainError);
    expect(mapped).toMatchObject({
      kind: 'bad_request',
      code: 'malformed_request',
      type: 'validation_error',
      message: 'Request body could not be decoded as "gzip"',
    });
  });

  it('leaves the errors the filter already maps by their `type`, and anything that is not a client error', () => {
    const tooLarge = Object.assign(new Error('request entity too large'), { status: 413, type: 'entity.too.large' });
    expect(undecodableBody(tooLarge, 'gzip')).toBe(tooLarge);
    const notJson = Object.assign(new Error('Unexpected token'), { status: 400, type: 'entity.parse.failed' });
    expect(undecodableBody(notJson, undefined)).toBe(notJson);
    const fault = new Error('boom');
    expect(undecodableBody(fault, 'gzip')).toBe(fault);
  });
});
