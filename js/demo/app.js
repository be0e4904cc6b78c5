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

// The sws chat demo: a page on sws.js, no build step.
//
// Query parameters: relay=ws://host:port/ (relay URL), key=<base64url>
// (pinned relay key), profile=NAME (a separate key pair in this browser, so
// that two tabs of one browser can be two people).
import { SwsClient, loadKeyPair, toKey, b64uEncode, validRoomName }
    from '../sws.js';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const profile = params.get('profile');
const storageKey = 'sws.keypair' + (profile ? '.' + profile : '');
const relayKey = 'sws.relay' + (profile ? '.' + profile : '');

function storage() {
	try {
		return window.localStorage;
	} catch (e) {
		return null;
	}
}

const store = storage() || {
	m: new Map(),
	getItem(k) { return this.m.has(k) ? this.m.get(k) : null; },
	setItem(k, v) { this.m.set(k, String(v)); },
	removeItem(k) { this.m.delete(k); },
};

let keyPair = loadKeyPair(store, storageKey);
let client = null;
const convs = new Map();	// id -> {id, kind, target, title, items, unread}
let active = null;

function short(k) {
	return k.slice(0, 10) + '…';
}

function defaultRelay() {
	const host = location.hostname !== '' ? location.hostname :
	    '127.0.0.1';
	return 'ws://' + host + ':8080/';
}

// --- conversations -------------------------------------------------------

function conv(kind, target) {
	const id = kind + ':' + target;
	let c = convs.get(id);
	if (c === undefined) {
		c = { id, kind, target, items: [], unread: false,
		    title: kind === 'room' ? '# ' + target : short(target) };
		convs.set(id, c);
		renderConvs();
		if (active === null)
			select(id);
	}
	return c;
}

function addItem(c, item) {
	item.time = new Date();
	c.items.push(item);
	if (c.items.length > 500)
		c.items.shift();
	if (active === c.id) {
		appendItem(item);
	} else if (item.cls !== 'sys') {
		c.unread = true;
		renderConvs();
	}
	return item;
}

function select(id) {
	active = id;
	const c = convs.get(id);
	c.unread = false;
	renderConvs();
	$('chat-title').textContent = c.kind === 'room' ?
	    'Room ' + c.target : 'Peer ' + c.target;
	$('leave-room').hidden = c.kind !== 'room';
	const log = $('log');
	log.replaceChildren();
	for (const it of c.items)
		appendItem(it);
	updateCompose();
	$('text').focus();
}

function renderConvs() {
	const nav = $('convs');
	nav.replaceChildren();
	for (const c of convs.values()) {
		const b = document.createElement('button');
		b.type = 'button';
		b.textContent = c.title;
		b.title = c.target;
		b.dataset.conv = c.id;
		if (c.id === active)
			b.classList.add('active');
		if (c.unread)
			b.classList.add('unread');
		b.addEventListener('click', () => select(c.id));
		nav.appendChild(b);
	}
}

function appendItem(it) {
	const li = document.createElement('li');
	li.className = it.cls;
	if (it.who !== undefined) {
		const w = document.createElement('span');
		w.className = 'who';
		w.textContent = it.who + ' · ' +
		    it.time.toLocaleTimeString();
		li.appendChild(w);
	}
	const body = document.createElement('span');
	body.className = 'body';
	body.textContent = it.text;
	li.appendChild(body);
	if (it.mark !== undefined) {
		const m = document.createElement('span');
		m.className = 'mark' + (it.bad ? ' bad' : '');
		m.textContent = it.mark;
		li.appendChild(m);
	}
	it.li = li;
	const log = $('log');
	log.appendChild(li);
	log.scrollTop = log.scrollHeight;
}

function refreshItem(it) {
	if (it.li === undefined || !it.li.isConnected)
		return;
	const m = it.li.querySelector('.mark');
	if (m !== null) {
		m.textContent = it.mark;
		m.className = 'mark' + (it.bad ? ' bad' : '');
	}
}

function sys(c, text, err = false) {
	addItem(c, { cls: 'sys' + (err ? ' err' : ''), text });
}

function notice(text) {
	$('relay-info').textContent = text;
}

function updateCompose() {
	const c = active !== null ? convs.get(active) : undefined;
	const can = client !== null && client.connected && c !== undefined &&
	    (c.kind === 'peer' || client.joinedRooms().includes(c.target));
	$('text').disabled = !can;
	$('send').disabled = !can;
}

// --- the client ----------------------------------------------------------

function showState(ev) {
	const s = $('status');
	let text = ev.state;
	if (ev.state === 'registered')
		text = 'connected';
	else if (ev.state === 'reconnecting')
		text = 'reconnecting in ' + Math.round(ev.delay / 100) / 10 +
		    ' s';
	else if (ev.state === 'closed')
		text = 'not connected';
	s.textContent = text;
	s.className = 'status ' + ev.state;
	$('connect').disabled = ev.state === 'registered' ||
	    ev.state === 'connecting';
	$('disconnect').disabled = ev.state === 'closed';
	updateCompose();
}

function wire(c) {
	c.on('state', (ev) => {
		if (c === client)
			showState(ev);
	});
	c.on('registered', (ev) => {
		notice('Registered with relay key ' + ev.server + '.');
	});
	c.on('message', (m) => {
		addItem(conv('peer', m.from), { cls: 'in', who: short(m.from),
		    text: m.text !== null ? m.text :
		    '[' + m.data.length + ' bytes of binary data]' });
	});
	c.on('room', (m) => {
		addItem(conv('room', m.room), { cls: 'in', who: short(m.from),
		    text: m.text !== null ? m.text :
		    '[' + m.data.length + ' bytes of binary data]' });
	});
	c.on('joined', (ev) => {
		sys(conv('room', ev.room), 'joined; ' + ev.members.length +
		    ' member' + (ev.members.length === 1 ? '' : 's') +
		    ' including you');
		updateCompose();
	});
	c.on('presence', (ev) => {
		sys(conv('room', ev.room), short(ev.publicKey) + ' ' +
		    ev.state);
	});
	c.on('error', (e) => {
		const text = e.code + ': ' + e.message;
		if (e.room !== undefined && convs.has('room:' + e.room))
			sys(convs.get('room:' + e.room), text, true);
		else if (e.from !== undefined)
			sys(conv('peer', e.from), text, true);
		else
			notice(text);
	});
}

async function connect() {
	let url = $('relay-url').value.trim();
	const pin = $('server-key').value.trim();
	if (client !== null) {
		client.close();
		client = null;
	}
	let c;
	try {
		c = new SwsClient({ url, keyPair,
		    serverKey: pin !== '' ? pin : undefined });
	} catch (e) {
		notice('Cannot use these settings: ' + e.message);
		return;
	}
	client = c;
	wire(c);
	store.setItem(relayKey, url);
	notice('Connecting to ' + url + ' …');
	try {
		await c.connect();
	} catch (e) {
		if (c !== client)
			return;
		notice('Connection failed: ' + e.code + ': ' + e.message);
		$('status').textContent = 'failed';
		$('status').className = 'status failed';
		return;
	}
	// Rooms open in the page are joined again on a new connection.
	for (const cv of convs.values())
		if (cv.kind === 'room')
			joinRoom(cv.target, false);
}

async function joinRoom(name, focus) {
	const c = conv('room', name);
	if (focus)
		select(c.id);
	if (client === null || !client.connected) {
		sys(c, 'not connected: connect first', true);
		return;
	}
	try {
		await client.join(name);
	} catch (e) {
		sys(c, 'cannot join: ' + e.code + ': ' + e.message, true);
	}
	updateCompose();
}

async function sendText(text) {
	const c = convs.get(active);
	if (c === undefined || text === '')
		return;
	const it = addItem(c, { cls: 'out', who: 'you', text, mark: '…' });
	try {
		if (c.kind === 'peer')
			await client.send(c.target, text);
		else
			await client.publish(c.target, text);
		it.mark = '✓';
	} catch (e) {
		it.mark = '✗ ' + e.code;
		it.bad = true;
	}
	refreshItem(it);
}

// --- page wiring ---------------------------------------------------------

function showKey() {
	$('my-key').textContent = b64uEncode(keyPair.publicKey);
}

$('connect-form').addEventListener('submit', (ev) => {
	ev.preventDefault();
	connect();
});
$('disconnect').addEventListener('click', () => {
	if (client !== null)
		client.close();
});
$('copy-key').addEventListener('click', async () => {
	try {
		await navigator.clipboard.writeText($('my-key').textContent);
		notice('Key copied.');
	} catch (e) {
		getSelection().selectAllChildren($('my-key'));
		notice('Select the key and copy it.');
	}
});
$('new-key').addEventListener('click', () => {
	if (!confirm('Forget this key pair? Peers will not reach you under ' +
	    'the old key.'))
		return;
	store.removeItem(storageKey);
	keyPair = loadKeyPair(store, storageKey);
	showKey();
	connect();
});
$('peer-form').addEventListener('submit', (ev) => {
	ev.preventDefault();
	const v = $('peer-key').value.trim();
	let k;
	try {
		k = b64uEncode(toKey(v));
	} catch (e) {
		notice('A peer key is 43 base64url characters (32 bytes).');
		return;
	}
	$('peer-key').value = '';
	select(conv('peer', k).id);
});
$('room-form').addEventListener('submit', (ev) => {
	ev.preventDefault();
	const name = $('room-name').value;
	if (!validRoomName(name)) {
		notice('A room name is 1 to 128 bytes without control ' +
		    'characters.');
		return;
	}
	$('room-name').value = '';
	joinRoom(name, true);
});
$('leave-room').addEventListener('click', async () => {
	const c = convs.get(active);
	if (c === undefined || c.kind !== 'room')
		return;
	if (client !== null)
		client.leave(c.target).catch(() => {});
	convs.delete(c.id);
	active = null;
	$('log').replaceChildren();
	$('chat-title').textContent = 'No conversation open';
	$('leave-room').hidden = true;
	renderConvs();
	const first = convs.keys().next();
	if (!first.done)
		select(first.value);
	updateCompose();
});
$('compose').addEventListener('submit', (ev) => {
	ev.preventDefault();
	const t = $('text');
	const text = t.value;
	t.value = '';
	sendText(text);
});

$('relay-url').value = params.get('relay') || store.getItem(relayKey) ||
    defaultRelay();
if (params.get('key'))
	$('server-key').value = params.get('key');
showKey();
if (profile)
	document.title = 'sws chat (' + profile + ')';
connect();
