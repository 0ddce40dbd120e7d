import { z } from 'zod';
import { parseRequest } from './parse-request';
import { ValidationError } from './service-error';

const schema = z.object({ title: z.string().min(1), price: z.number().int().positive() });

describe('parseRequest', () => {
  it('returns the parsed value', () => {
    expect(parseRequest(schema, { title: 'Concert', price: 4500 })).toEqual({ title: 'Concert', price: 4500 });
  });

  it('names every invalid field', () => {
    let thrown: unknown;
    try {
      parseRequest(schema, { title: '', price: -1 });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ValidationError);
    expect((thrown as ValidationError).errors.map((error) => error.field)).toEqual(['title', 'price']);
  });

  it('treats a missing body as an empty object and names the body when the whole value is wrong', () => {
    expect(() => parseRequest(schema, undefined)).toThrow(ValidationError);
    let thrown: unknown;
    try {
      parseRequest(z.object({}).strict(), 'text');
    } catch (error) {
      thrown = error;
    }
    expect((thrown as ValidationError).errors[0]?.field).toBe('(body)');
  });

  it.each([
    ['a top-level field', { title: 'Con\u0000cert', price: 1 }, schema, ['title']],
    [
      'a nested field and an array item',
      { a: { b: 'x\u0000' }, list: ['ok', '\u0000'] },
      z.object({ a: z.object({ b: z.string() }), list: z.array(z.string()) }),
      ['a.b', 'list.1'],
    ],
    ['a record key', { tags: { 'k\u0000': 'v' } }, z.object({ tags: z.record(z.string(), z.string()) }), ['tags.k\u0000']],
    ['a query string', { query: 'ada\u0000' }, z.object({ query: z.string().max(254) }), ['query']],
  ])('refuses a NUL character in %s with VALIDATION_FAILED naming the field', (_name, input, anySchema, fields) => {
    let thrown: unknown;
    try {
      parseRequest(anySchema, input);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ValidationError);
    expect((thrown as ValidationError).errors).toEqual(fields.map((field) => ({ field, message: 'must not contain NUL characters' })));
  });

  it('lets other control characters and non-string values through', () => {
    expect(parseRequest(z.object({ title: z.string(), n: z.number(), when: z.date() }), { title: 'a\u0001b\tc', n: 0, when: new Date(0) })).toEqual({
      title: 'a\u0001b\tc',
      n: 0,
      when: new Date(0),
    });
  });
});
