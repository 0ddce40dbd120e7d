export { vetoFastify, type VetoFastify, type VetoFastifyOptions } from './veto-fastify';
