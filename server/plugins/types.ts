import type { Viewer } from '../policy/index.ts';

/**
 * What a route must declare: who may call it at all. Finer decisions are the policy's.
 * `operator`: admins, plus the machine's own monitoring — a request from a loopback address that
 * did not come through a proxy, or one carrying the configured METRICS_TOKEN (e.g. /metrics).
 */
export type Access = 'public' | 'member' | 'moderator' | 'admin' | 'operator';

export interface FlashMessage {
  kind: 'success' | 'error' | 'info';
  text: string;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    viewer: Viewer;
    /** The authenticated session's id when the viewer came by cookie; null for tokens and visitors. */
    authSessionId: string | null;
    /** True when the viewer authenticated with a Bearer token (the JSON API). */
    viaToken: boolean;
  }
}

declare module '@fastify/session' {
  interface FastifySessionObject {
    flash?: FlashMessage[];
  }
}
