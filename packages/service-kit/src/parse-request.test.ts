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
});
