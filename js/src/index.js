/*
 * Copyright (c) 2026 The sws authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 *
 * THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES
 * WITH REGARD TO THIS SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF
 * MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR
 * ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES
 * WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN
 * ACTION OF CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF
 * OR IN CONNECTION WITH THE USE OR PERFORMANCE OF THIS SOFTWARE.
 */

// Everything the client offers on every platform, from the module of each
// concern.  The entry points (browser.js, node.js) add their platform and
// re-export this list.

export { VERSION } from './version.js';
export { nacl } from './nacl.js';
export { SUBPROTOCOL, KEY_BYTES, NONCE_BYTES, TAG_BYTES, MAX_BINDING,
    MAX_RELAY_MESSAGE, KIND_DATA, KIND_SENDER_KEY, SwsError, utf8, utf8Text,
    concat, bytesEqual } from './common.js';
export { b64uEncode, b64uDecode } from './base64url.js';
export { msgpackEncode, msgpackDecode, jsonCodec, msgpackCodec }
    from './codec.js';
export { toKey, isLowOrder, sharedKey, dataInner, senderKeyInner, sealDirect,
    openDirect, sealRoom, openRoom } from './e2e.js';
export { bindingOf, registrationBox, checkProof } from './register.js';
export { validRoomName } from './room.js';
export { MemoryKeyStore, IndexedDBKeyStore, loadKeyPair,
    keyPairFromSecretKey, fingerprint } from './keystore.js';
export { SwsClient, SwsEvent, backoffDelay } from './client.js';
