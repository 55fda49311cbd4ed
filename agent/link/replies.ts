import type {
  AbortReply,
  ActivateReply,
  BeginReply,
  ConnectReply,
  IdentifyReply,
  Reply,
  Request,
  StatusReply,
  VerifyReply,
  ConfirmReply,
} from '../../protocol/messages/index.ts';

/** The request kinds that get one reply each (WRITE is pipelined and acknowledged separately). */
export type CommandRequest = Exclude<Request, { kind: 'write' }>;

/** Which reply answers which request. */
export interface ReplyOf {
  connect: ConnectReply;
  identify: IdentifyReply;
  status: StatusReply;
  begin: BeginReply;
  verify: VerifyReply;
  activate: ActivateReply;
  confirm: ConfirmReply;
  abort: AbortReply;
}

/** Decoded reply sizes (frame overhead included) for timeouts; IDENTIFY's strings at their longest. */
export const REPLY_FRAME_BYTES: Record<CommandRequest['kind'], number> = {
  connect: 7 + 5,
  identify: 7 + 85 + 2 * 255,
  status: 7 + 51,
  begin: 7 + 6,
  verify: 7 + 36,
  activate: 7 + 4,
  confirm: 7 + 36,
  abort: 7,
};

/** A decoded reply and the sequence number it carried. */
export interface ReplyFrame {
  seq: number;
  type: number;
  message: Reply;
}
