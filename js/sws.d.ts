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

// Types of sws-js, the same for its browser and node entries (docs/JS.md
// is the reference).  FileKeyStore and defaultKeyPath throw an SwsError
// 'unsupported' in the browser.

/** A public key: base64url text (43 characters) or 32 bytes. */
export type Key = string | Uint8Array;

export interface KeyPair {
	publicKey: Uint8Array;
	secretKey: Uint8Array;
}

/** Where a client keeps its secret key. */
export interface KeyStore {
	/** The 32-byte secret key, or null when there is none yet. */
	load(): Promise<Uint8Array | null>;
	/** Keeps a new secret key. */
	save(secretKey: Uint8Array): Promise<void>;
}

export type ErrorCode =
	// from the relay (docs/PROTOCOL.md 3.4, 4.4)
	| 'bad-proof' | 'bad-binding' | 'timeout' | 'unavailable' | 'version'
	| 'offline' | 'busy' | 'rate-limited' | 'too-large' | 'malformed'
	| 'not-member' | 'room-full' | 'too-many-rooms' | 'unknown-type'
	// from the client
	| 'connect' | 'disconnected' | 'protocol' | 'server-key-mismatch'
	| 'low-order-key' | 'undecryptable' | 'unknown-kind' | 'no-sender-key'
	| 'queue-full' | 'handler' | 'internal' | 'unsupported'
	| 'key-file' | 'no-key' | 'key-store' | 'bad-key'
	| string;

export class SwsError extends Error {
	constructor(code: ErrorCode, message?: string);
	readonly name: 'SwsError';
	code: ErrorCode;
	room?: string;
	from?: string;
	to?: string;
}

export interface Limits {
	maxMessage?: number;
	maxBody?: number;
	rate?: number;
	burst?: number;
	rooms?: number;
}

export type State = 'connecting' | 'registered' | 'reconnecting' | 'closed';

export interface ClientOptions {
	/** ws:// or wss:// URL of the relay. */
	url: string;
	/** The relay's public key, pinned. */
	serverKey?: Key;
	keyPair?: KeyPair;
	keyStore?: KeyStore;
	encoding?: 'json' | 'msgpack';
	reconnect?: boolean;
	backoffBase?: number;
	backoffCap?: number;
	requestTimeout?: number;
	handshakeTimeout?: number;
	holdMs?: number;
	holdMax?: number;
	queueMax?: number;
	queueTimeout?: number;
	/** A WebSocket constructor (the platform's by default). */
	WebSocket?: new (url: string, protocols: string[]) => unknown;
}

export interface StateFields {
	state: State;
	delay?: number;
	attempt?: number;
	code?: number;
	error?: unknown;
}
export interface RegisteredFields {
	publicKey: string;
	server: string;
	limits: Limits;
}
export interface MessageFields {
	from: string;
	data: Uint8Array;
	text: string | null;
}
export interface RoomFields extends MessageFields {
	room: string;
	body: Uint8Array;
}
export interface JoinedFields {
	room: string;
	members: string[];
}
export interface PresenceFields {
	room: string;
	publicKey: string;
	state: 'joined' | 'left';
}
export interface SenderKeyFields {
	room: string;
	from: string;
	key: Uint8Array;
}
export interface ErrorFields {
	error: SwsError;
	code: ErrorCode;
	message: string;
	room?: string;
	from?: string;
	to?: string;
}

/** An event of SwsClient: an Event with its fields as properties. */
export class SwsEvent<F = {}> extends Event {
	constructor(type: string, fields: F);
}
export type EventOf<F> = SwsEvent<F> & Readonly<F>;

export interface EventMap {
	state: EventOf<StateFields>;
	registered: EventOf<RegisteredFields>;
	message: EventOf<MessageFields>;
	room: EventOf<RoomFields>;
	joined: EventOf<JoinedFields>;
	presence: EventOf<PresenceFields>;
	senderkey: EventOf<SenderKeyFields>;
	error: EventOf<ErrorFields>;
}

export interface ConnectResult {
	server: string;
	limits: Limits;
}

export class SwsClient extends EventTarget {
	constructor(options: ClientOptions);
	readonly url: string;
	/** Our public key in base64url; null until the key is loaded. */
	readonly publicKey: string | null;
	readonly keyPair: KeyPair | null;
	readonly state: State;
	readonly connected: boolean;
	/** The relay's key in base64url once registered. */
	readonly serverKey: string | null;
	readonly limits: Limits | null;

	loadKey(): Promise<string>;
	connect(): Promise<ConnectResult>;
	close(): void;
	send(to: Key, data: string | Uint8Array): Promise<void>;
	join(room: string): Promise<string[]>;
	leave(room: string): Promise<void>;
	publish(room: string, data: string | Uint8Array): Promise<void>;
	joinedRooms(): string[];
	roomMembers(room: string): string[];
	/** Sends one raw request; resolves with the relay's answer. */
	request(msg: { type: string; [field: string]: unknown }):
	    Promise<Record<string, unknown>>;
	/** Cuts the connection as a network failure would (for tests). */
	dropConnection(): void;

	on<K extends keyof EventMap>(name: K, fn: (ev: EventMap[K]) => void):
	    () => void;
	addEventListener<K extends keyof EventMap>(name: K,
	    fn: (ev: EventMap[K]) => void,
	    options?: boolean | AddEventListenerOptions): void;
	addEventListener(name: string,
	    fn: EventListenerOrEventListenerObject | null,
	    options?: boolean | AddEventListenerOptions): void;
	removeEventListener<K extends keyof EventMap>(name: K,
	    fn: (ev: EventMap[K]) => void,
	    options?: boolean | EventListenerOptions): void;
	removeEventListener(name: string,
	    fn: EventListenerOrEventListenerObject | null,
	    options?: boolean | EventListenerOptions): void;
}

export class MemoryKeyStore implements KeyStore {
	constructor(secretKey?: Uint8Array | null);
	load(): Promise<Uint8Array | null>;
	save(secretKey: Uint8Array): Promise<void>;
}

export class IndexedDBKeyStore implements KeyStore {
	constructor(name?: string, options?: { database?: string });
	readonly name: string;
	readonly database: string;
	load(): Promise<Uint8Array | null>;
	save(secretKey: Uint8Array): Promise<void>;
	remove(): Promise<void>;
}

export class FileKeyStore implements KeyStore {
	constructor(path?: string, options?: { create?: boolean });
	readonly path: string;
	readonly create: boolean;
	load(): Promise<Uint8Array | null>;
	save(secretKey: Uint8Array): Promise<void>;
}

export function defaultKeyPath(env?: Record<string, string | undefined>):
    string;
export function loadKeyPair(store: KeyStore): Promise<KeyPair>;
export function keyPairFromSecretKey(secretKey: Uint8Array): KeyPair;
export function fingerprint(publicKey: Key): string;

export const PLATFORM: 'browser' | 'node';

// --- building blocks --------------------------------------------------

export const SUBPROTOCOL: 'sws.v1.json';
export const KEY_BYTES: 32;
export const NONCE_BYTES: 24;
export const TAG_BYTES: 16;
export const MAX_BINDING: 255;
export const MAX_RELAY_MESSAGE: number;
export const KIND_DATA: 0;
export const KIND_SENDER_KEY: 1;

/** tweetnacl, as loaded. */
export const nacl: {
	randomBytes(n: number): Uint8Array;
	box: {
		(msg: Uint8Array, nonce: Uint8Array, pk: Uint8Array,
		    sk: Uint8Array): Uint8Array;
		keyPair(): KeyPair;
		[k: string]: unknown;
	};
	secretbox: (msg: Uint8Array, nonce: Uint8Array, key: Uint8Array) =>
	    Uint8Array;
	hash(msg: Uint8Array): Uint8Array;
	[k: string]: unknown;
};

export function utf8(s: string): Uint8Array;
export function utf8Text(bytes: Uint8Array): string | null;
export function concat(...parts: Uint8Array[]): Uint8Array;
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean;
export function b64uEncode(bytes: Uint8Array): string;
export function b64uDecode(text: string): Uint8Array;

export type WireMessage = { type: string; [field: string]: unknown };
export function msgpackEncode(value: unknown): Uint8Array;
export function msgpackDecode(bytes: Uint8Array | ArrayBuffer): unknown;
export interface Codec {
	readonly subprotocol: string;
	readonly binary: boolean;
	encode(msg: WireMessage): string | Uint8Array;
	decode(data: string | ArrayBuffer | Uint8Array): WireMessage;
}
export const jsonCodec: Codec;
export const msgpackCodec: Codec;

export function toKey(k: Key): Uint8Array;
export function isLowOrder(pk: Uint8Array, sk: Uint8Array): boolean;
export function sharedKey(pk: Uint8Array, sk: Uint8Array): Uint8Array;
export function dataInner(data: string | Uint8Array): Uint8Array;
export function senderKeyInner(key: Uint8Array, room: string): Uint8Array;
export function sealDirect(inner: Uint8Array, recipientPk: Uint8Array,
    senderSk: Uint8Array, nonce?: Uint8Array): Uint8Array;
export function openDirect(body: Uint8Array, senderPk: Uint8Array,
    recipientSk: Uint8Array): Uint8Array | null;
export function sealRoom(inner: Uint8Array, key: Uint8Array,
    nonce?: Uint8Array): Uint8Array;
export function openRoom(body: Uint8Array, key: Uint8Array):
    Uint8Array | null;
export function bindingOf(url: string): Uint8Array;
export function registrationBox(challenge: Uint8Array, binding: Uint8Array,
    nonce: Uint8Array, serverPk: Uint8Array, clientSk: Uint8Array):
    Uint8Array;
export function checkProof(proof: Uint8Array, challenge: Uint8Array,
    clientPk: Uint8Array, serverPk: Uint8Array, clientSk: Uint8Array):
    boolean;
export function validRoomName(name: string): boolean;
/** The release of sws-js, the project's one version ("0.2.0"). */
export const VERSION: string;

export function backoffDelay(attempt: number, base: number, cap: number,
    rnd?: () => number): number;
