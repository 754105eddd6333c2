import { RequestMethod } from '@nestjs/common';
import { HTTP_CODE_METADATA, METHOD_METADATA } from '@nestjs/common/constants.js';
import { DiscoveryService } from '@nestjs/core';

/**
 * Nest answers every POST with 201; Mattermost answers 200 except where it creates something
 * (those handlers say @HttpCode(201)). Run before app.init(), when routes are registered.
 */
export function defaultPostsTo200(discovery: DiscoveryService): void {
  for (const wrapper of discovery.getControllers()) {
    const proto = wrapper.metatype?.prototype;
    if (!proto) continue;
    for (const name of Object.getOwnPropertyNames(proto)) {
      // Read the descriptor, not the property: a getter must not run on the bare prototype.
      const handler = Object.getOwnPropertyDescriptor(proto, name)?.value;
      if (typeof handler !== 'function') continue;
      if (Reflect.getMetadata(METHOD_METADATA, handler) !== RequestMethod.POST) continue;
      if (Reflect.getMetadata(HTTP_CODE_METADATA, handler) === undefined) Reflect.defineMetadata(HTTP_CODE_METADATA, 200, handler);
    }
  }
}
