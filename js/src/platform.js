// What differs between the browser and node: where tweetnacl and the
// WebSocket class come from.  In the browser both are globals (tweetnacl's
// nacl-fast.js is loaded with a classic <script> before the modules, so
// globalThis.nacl is set when this module runs); under node they are
// imported from node_modules.

export const isNode = typeof process === 'object' && process !== null &&
    typeof process.versions === 'object' && process.versions !== null &&
    typeof process.versions.node === 'string' &&
    typeof window === 'undefined';

let nacl = globalThis.nacl;
if (nacl === undefined || nacl === null || typeof nacl.box !== 'function') {
	if (isNode) {
		const m = await import('tweetnacl');
		nacl = m.default !== undefined ? m.default : m;
	} else {
		throw new Error('sws.js: load tweetnacl (nacl-fast.js) before ' +
		    'this module, so that globalThis.nacl is set');
	}
}
export { nacl };

export let wsClass = null;

export async function webSocketClass() {
	if (wsClass !== null)
		return wsClass;
	if (isNode) {
		const m = await import('ws');
		wsClass = m.WebSocket !== undefined ? m.WebSocket : m.default;
	} else if (typeof globalThis.WebSocket === 'function') {
		wsClass = globalThis.WebSocket;
	} else {
		throw new Error('sws.js: no WebSocket implementation');
	}
	return wsClass;
}
