import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';

export const accountPages: FastifyPluginAsyncTypebox = async () => {};
