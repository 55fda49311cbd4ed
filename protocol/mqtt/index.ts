export * from './topics.ts';
export * from './messages.ts';
export { MESSAGE_VERSION, type ErrorSummary } from './fields.ts';
export * from './codec.ts';
export * from './jobs.ts';
