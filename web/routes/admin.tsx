import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';

export const adminPages: FastifyPluginAsyncTypebox = async () => {};
