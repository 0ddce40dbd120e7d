import { z } from 'zod';

const jti = z.string().min(1).max(256);

/**
 * The body of an RFC 8936 §2.4 poll request: `maxEvents`, `returnImmediately`, `ack` (the `jti`s
 * the receiver has processed) and `setErrs` (`jti` → `{ err, description }` for SETs it could not
 * process). Unknown members are ignored (the RFC lets future ones appear).
 */
export const pollRequestSchema = z.object({
  maxEvents: z.number().int().min(0).optional(),
  returnImmediately: z.boolean().optional(),
  ack: z.array(jti).max(10_000).optional(),
  setErrs: z
    .record(jti, z.object({ err: z.string().min(1).max(256), description: z.string().max(2000).optional() }))
    .refine((errors) => Object.keys(errors).length <= 10_000, 'at most 10000 entries')
    .optional(),
});

/** A parsed poll request. */
export type PollRequest = z.output<typeof pollRequestSchema>;
