// In the Lambda bundle in place of ip-address, which @fastify/rate-limit requires at load for its
// default key generator only (it groups IPv6 clients by subnet). Gatewire passes its own
// (src/plugins/rate-limit.ts: the caller, else the address), so the library never calls it; should
// that change, this says so instead of limiting by another key.
'use strict';
class Address6 {
  constructor() {
    throw new Error("ip-address is not in the Lambda bundle: @fastify/rate-limit's default keyGenerator is not used (src/plugins/rate-limit.ts)");
  }
}
module.exports = { Address6 };
