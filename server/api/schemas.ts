import { Type } from '@fastify/type-provider-typebox';

/** Shared API shapes. Response schemas list every field a response may carry; others are dropped. */
export const Id = Type.Integer({ minimum: 1, maximum: 9_007_199_254_740_991 });
export const IdParams = Type.Object({ id: Id });
export const PageQuery = Type.Object({ page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000, default: 1 })) });

export const ErrorBody = Type.Object({
  error: Type.Object({
    code: Type.String(),
    message: Type.String(),
    fields: Type.Record(Type.String(), Type.String()),
    see: Type.Optional(Type.Object({ href: Type.String(), label: Type.String() }, { description: 'A page that helps, such as the earlier post a duplicate repeats' })),
  }),
});

export const Ok = Type.Object({ ok: Type.Boolean() });

export const DateTime = Type.String({ format: 'date-time' });

/** Errors every API route can answer with, for the OpenAPI document. */
export const errorResponses = {
  400: ErrorBody,
  401: ErrorBody,
  403: ErrorBody,
  404: ErrorBody,
  409: ErrorBody,
  413: ErrorBody,
  422: ErrorBody,
  429: ErrorBody,
};
