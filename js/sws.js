// sws.js: JavaScript client of the sws relay (wire sws/1, bodies sws-e2e/1).
//
// ES modules for browsers and node (>= 20), no build step; this file is
// the entry point and re-exports src/index.js, where each concern has its
// module (src/client.js says which).
//  - Browser: load tweetnacl's nacl-fast.js with a classic <script> before
//    this module (it sets globalThis.nacl); the native WebSocket is used.
//  - Node: tweetnacl and ws are imported from node_modules.
//
// The wire is described in docs/WIRE.md (sections 1-4, 6) and the end-to-end body
// convention in its section 7.  It speaks the JSON subprotocol
// (sws.v1.json) by default, MessagePack (sws.v1.msgpack) on request.

export * from './src/index.js';
