export * from './viewer.ts';
export * from './visibility.ts';
export * from './can.ts';
