import { randomBytes } from 'node:crypto';
import type { StreamOptions } from '../ensure-streams';

/** Stream, prefix and service names private to one test, so tests sharing a server never meet. */
export function uniqueNames(): Required<Pick<StreamOptions, 'name' | 'subjectPrefix' | 'deadLetterStream' | 'deadLetterPrefix'>> & { service: string } {
  const tag = randomBytes(4).toString('hex');
  return { name: `AUTH_${tag}`, subjectPrefix: `t${tag}.auth`, deadLetterStream: `DLQ_${tag}`, deadLetterPrefix: `t${tag}.dlq`, service: `svc-${tag}` };
}
