/** The logging the engine needs: pino's shape, so a pino logger can be passed as is. */
export interface AgentLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

const nothing = (): void => {};
export const silentLogger: AgentLogger = { debug: nothing, info: nothing, warn: nothing, error: nothing };
