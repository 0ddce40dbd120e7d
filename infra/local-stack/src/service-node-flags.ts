/**
 * Node flags every launcher gives the auth and tickets services: the local stack here, the images
 * (`services/<svc>/Dockerfile` `CMD` and each service's `start` script, kept equal to this list by
 * infra/k8s's tests) and the footprint bench.
 *
 * `--max-semi-space-size=1` caps V8's young generation at two 1 MB semi-spaces. By default they
 * grow to 16 MB each under request load and stay committed: 32 MB of the 145–153 MB a service held
 * under load on PostgreSQL (docs/benchmarks.md, "Footprint"; the target is 120 MB). With 1 MB:
 * 107–108 MB under load and 82–86 MB idle (2 MB: 117–121 MB, 4 MB: 115–124 MB), for about the
 * same CPU per request.
 */
export const SERVICE_NODE_FLAGS: readonly string[] = Object.freeze(['--max-semi-space-size=1']);
