/**
 * The parts of happn-swim 1.0.3 (CommonJS, untyped) that SwimMembership uses. Read from its
 * lib/swim.js, lib/membership.js, lib/member.js and lib/net.js; member state 0 = alive,
 * 1 = suspect, 2 = faulty.
 */
declare module 'happn-swim' {
  import type { EventEmitter } from 'node:events';
  import type { Socket, RemoteInfo } from 'node:dgram';

  namespace Swim {
    interface MemberData {
      meta?: unknown;
      /** "host:port", the member's identity. */
      host: string;
      state: 0 | 1 | 2;
      incarnation: number;
    }

    interface Member extends MemberData {
      data(): MemberData;
      /** Bumps the incarnation (refutation); with `data`, to above data.incarnation. */
      incarnate(data?: MemberData, force?: boolean): boolean;
    }

    interface Message {
      type: number;
      data?: unknown;
    }

    interface Net extends EventEmitter {
      udpSocket: Socket;
      udp: { port: number; type: string; maxDgramSize: number };
      errorListener: (err: Error) => void;
      listeningListener: () => void;
      /** Bound in the constructor; attached to the socket by listen(). */
      messageListener: (buffer: Buffer, rinfo: RemoteInfo) => void;
      listen(callback: (err?: Error) => void): void;
      close(): void;
      /** Parses a (decrypted) datagram and emits ping/pingreq/sync/ack/update. */
      onMessage(buffer: Buffer, rinfo: RemoteInfo): void;
      sendMessage(message: Message, host: string): void;
      sendMessages(messages: Message[], host: string): void;
      /** The single exit of every datagram. */
      sendBuffer(buffer: Buffer, host: string): void;
    }

    interface Membership extends EventEmitter {
      local: Member;
      suspectTimeout: number;
      hostToMember: Record<string, Member>;
      hostToFaulty: Record<string, Member>;
      hostToSuspectTimeout: Record<string, NodeJS.Timeout>;
      /** Marks a member suspect and (re)starts its suspicion timer. */
      onSuspect(member: Member): void;
      /** Bound in the constructor; attached to the failure detector by start(). */
      suspectListener: (member: Member) => void;
      get(host: string): Member | undefined;
      all(hasLocal?: boolean, hasFaulty?: boolean): MemberData[];
      /** Sends a Sync (our data plus everything we know) to each host. */
      sync(hosts: string[]): void;
    }

    interface Options {
      local: { host: string; meta?: unknown; incarnation?: number };
      codec?: 'json';
      disseminationFactor?: number;
      interval?: number;
      joinTimeout?: number;
      pingTimeout?: number;
      pingReqTimeout?: number;
      pingReqGroupSize?: number;
      udp?: { type?: 'udp4' | 'udp6'; maxDgramSize?: number };
    }
  }

  class Swim extends EventEmitter {
    constructor(opts: Swim.Options);
    net: Swim.Net;
    membership: Swim.Membership;
    state: 'started' | 'stopped';
    bootstrap(hosts: string[], callback: (err?: Error) => void): void;
    join(hosts: string[], callback: (err?: Error) => void): void;
    leave(): void;
    members(hasLocal?: boolean): Swim.MemberData[];
    whoami(): string;
  }

  export default Swim;
}
