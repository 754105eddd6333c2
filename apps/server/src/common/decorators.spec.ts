import { SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import { describe, expect, it } from 'vitest';
import { Public, PUBLIC_ROUTE, routeMetadata } from './decorators.js';

const LABEL = 'test:label';

@SetMetadata(LABEL, 'controller')
class Labelled {
  @SetMetadata(LABEL, 'handler')
  own() {}

  inherited() {}

  @Public()
  open() {}
}

class Plain {
  inherited() {}
}

/** A Reflector that counts the lookups it is asked for. */
class CountingReflector extends Reflector {
  asked = 0;
  override getAllAndOverride<T>(...args: Parameters<Reflector['getAllAndOverride']>): T {
    this.asked++;
    return super.getAllAndOverride(...args) as T;
  }
}

function ctx(controller: object, handler: () => void) {
  return new ExecutionContextHost([{}, {}, () => undefined], controller as never, handler);
}

describe('routeMetadata', () => {
  it("gives the handler's value over its controller's, as Reflector.getAllAndOverride", () => {
    const reflector = new Reflector();
    expect(routeMetadata(reflector, LABEL, ctx(Labelled, Labelled.prototype.own))).toBe('handler');
    expect(routeMetadata(reflector, LABEL, ctx(Labelled, Labelled.prototype.inherited))).toBe('controller');
    expect(routeMetadata(reflector, LABEL, ctx(Plain, Plain.prototype.inherited))).toBeUndefined();
  });

  it('reads each key of a route once, then answers from what it kept, an absent value included', () => {
    const reflector = new CountingReflector();
    for (let i = 0; i < 3; i++) {
      expect(routeMetadata(reflector, PUBLIC_ROUTE, ctx(Labelled, Labelled.prototype.open))).toBe(true);
      expect(routeMetadata(reflector, PUBLIC_ROUTE, ctx(Labelled, Labelled.prototype.own))).toBeUndefined();
    }
    expect(reflector.asked).toBe(2);
  });

  it('keeps one handler apart under two controllers', () => {
    const shared = Labelled.prototype.inherited;
    const reflector = new Reflector();
    expect(routeMetadata(reflector, LABEL, ctx(Labelled, shared))).toBe('controller');
    expect(routeMetadata(reflector, LABEL, ctx(Plain, shared))).toBeUndefined();
  });
});
