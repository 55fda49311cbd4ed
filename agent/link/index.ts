export { Link, DEFAULT_HOST_MAX_FRAME, type LinkEvents, type LinkOptions, type RequestOptions } from './link.ts';
export { Waitress } from './waitress.ts';
export type { CommandRequest, ReplyOf } from './replies.ts';
export * from './timing.ts';
