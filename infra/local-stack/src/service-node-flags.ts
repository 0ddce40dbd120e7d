/**
 * Node flags every launcher gives the auth and tickets services: the local stack here, the images
 * (`services/<svc>/Dockerfile` `CMD` and each service's `start` script, kept equal to this list by
 * infra/k8s's tests); the footprint bench compares it with other sizes.
 *
 * `--max-semi-space-size=1` caps V8's young generation at two 1 MB semi-spaces. By default they
 * grow to 16 MB each under request load and stay committed: about 30 MB of the 135–153 MB a service
 * held under load on PostgreSQL, where the target is 120 MB (docs/benchmarks.md, "Footprint"). With
 * 1 MB: 107–118 MB under load, 79–87 MB idle, over three runs; 2, 4 and 8 MB each missed the target
 * in two of them. No cost in CPU per request showed on the shared test machine.
 */
export const SERVICE_NODE_FLAGS: readonly string[] = Object.freeze(['--max-semi-space-size=1']);
