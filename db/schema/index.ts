export * from './accounts.ts';
export * from './spaces.ts';
export * from './forum.ts';
export * from './moderation.ts';
export * from './blogs.ts';
export * from './notifications.ts';
export * from './mail.ts';
export * from './operations.ts';
