export { freePort } from './free-port';
export { waitFor } from './wait-for';
export { expectProblem, type ProblemResponse } from './expect-problem';
export { markdownSection } from './markdown-section';
