export { ErrorCode, formatErrorCode } from './codes.ts';
export { HubflashError, isHubflashError, type ErrorContext } from './HubflashError.ts';
