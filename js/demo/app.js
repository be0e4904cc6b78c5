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

// The sws chat demo: a page on the sws-js package.  Served as modules it
// needs the import map of index.html; bundled (esbuild) it needs nothing.
//
// Query parameters: relay=ws://host:port/ (relay URL), key=<base64url>
// (pinned relay key), profile=NAME (another key pair, names and history
// in this browser, so that two tabs of one browser can be two people).
// Peers are shown by the name given to their key here, else by the key's
// fingerprint; the conversations and their lines are kept (history.js)
// and shown again after a reload.
import { SwsClient, IndexedDBKeyStore, loadKeyPair, fingerprint, toKey,
    b64uEncode, validRoomName } from 'sws-js';
import { relayFromLocation } from './relay-url.js';
import { openHistory } from './history.js';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const profile = params.get('profile') || 'default';
const MAX_ITEMS = 500;		// lines shown per conversation

const keyStore = new IndexedDBKeyStore('demo.' + profile);
let history = null;
let keyPair = null;
let myKey = null;
let client = null;
const convs = new Map();	// id -> {id, kind, target, items, unread}
const names = new Map();	// key -> local name
let active = null;

function fp(key) {
	return fingerprint(key);
}

// A key as people see it: its local name and fingerprint, or the
// fingerprint alone.
function who(key) {
	if (key === myKey)
		return 'you';
	const n = names.get(key);
	return n !== undefined ? n + ' (' + fp(key).slice(0, 9) + ')' : fp(key);
}

function titleOf(c) {
	return c.kind === 'room' ? '# ' + c.target : who(c.target);
}

function save(p) {
	p.catch((e) => notice('History not saved: ' + e.message));
}

// --- conversations -------------------------------------------------------

function conv(kind, target) {
	const id = kind + ':' + target;
	let c = convs.get(id);
	if (c === undefined) {
		c = { id, kind, target, items: [], unread: false };
		convs.set(id, c);
		save(history.put('convs', { id, kind, target }));
		renderConvs();
		if (active === null)
			select(id);
	}
	return c;
}

function addItem(c, item) {
	item.conv = c.id;
	item.time = Date.now();
	c.items.push(item);
	if (c.items.length > MAX_ITEMS)
		c.items.shift();
	const rec = Object.assign({}, item);
	delete rec.li;
	item.saved = history.put('items', rec).then((n) => {
		item.n = n;
	}, (e) => notice('History not saved: ' + e.message));
	if (active === c.id) {
		appendItem(item);
	} else if (!item.cls.startsWith('sys')) {
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
	$('chat-title').textContent = c.kind === 'room' ? 'Room ' + c.target :
	    'Peer ' + who(c.target);
	$('leave-room').hidden = c.kind !== 'room';
	$('rename-form').hidden = c.kind !== 'peer';
	$('rename').value = c.kind === 'peer' && names.has(c.target) ?
	    names.get(c.target) : '';
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
		b.textContent = titleOf(c);
		b.title = c.kind === 'room' ? 'room ' + c.target :
		    'key ' + c.target;
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
	if (it.from !== undefined) {
		const w = document.createElement('span');
		w.className = 'who';
		w.textContent = who(it.from) + ' · ' +
		    new Date(it.time).toLocaleTimeString();
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
	it.saved.then(() => {
		const rec = Object.assign({}, it);
		delete rec.li;
		delete rec.saved;
		save(history.put('items', rec));
	});
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

async function loadHistory() {
	for (const [k, v] of await history.entries('names'))
		names.set(k, v);
	for (const c of await history.all('convs')) {
		const items = (await history.itemsOf(c.id)).slice(-MAX_ITEMS);
		for (const it of items) {
			it.saved = Promise.resolve();
			// what was on its way when the page went is not known
			if (it.mark === '…') {
				it.mark = '? unknown';
				it.bad = true;
			}
		}
		convs.set(c.id, { id: c.id, kind: c.kind, target: c.target,
		    items, unread: false });
	}
	renderConvs();
	const first = convs.keys().next();
	if (!first.done)
		select(first.value);
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

function textOf(m) {
	return m.text !== null ? m.text :
	    '[' + m.data.length + ' bytes of binary data]';
}

function wire(c) {
	c.addEventListener('state', (ev) => {
		if (c === client)
			showState(ev);
	});
	c.addEventListener('registered', (ev) => {
		notice('Registered with relay key ' + fp(ev.server) + '.');
	});
	c.addEventListener('message', (m) => {
		addItem(conv('peer', m.from), { cls: 'in', from: m.from,
		    text: textOf(m) });
	});
	c.addEventListener('room', (m) => {
		addItem(conv('room', m.room), { cls: 'in', from: m.from,
		    text: textOf(m) });
	});
	c.addEventListener('joined', (ev) => {
		sys(conv('room', ev.room), 'joined; ' + ev.members.length +
		    ' member' + (ev.members.length === 1 ? '' : 's') +
		    ' including you');
		updateCompose();
	});
	c.addEventListener('presence', (ev) => {
		sys(conv('room', ev.room), who(ev.publicKey) + ' ' + ev.state);
	});
	c.addEventListener('error', (e) => {
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
	const url = $('relay-url').value.trim();
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
	save(history.put('settings', url, 'relay'));
	save(history.put('settings', pin, 'serverKey'));
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
	// The rooms of the history are joined again on a new connection.
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
	const it = addItem(c, { cls: 'out', from: myKey, text, mark: '…' });
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

function setName(key, name) {
	name = name.trim();
	if (name === '') {
		names.delete(key);
		save(history.remove('names', key));
	} else {
		names.set(key, name);
		save(history.put('names', name, key));
	}
	renderConvs();
	if (active !== null)
		select(active);
}

// --- page wiring ---------------------------------------------------------

function showKey() {
	$('my-key').textContent = myKey;
	$('my-fp').textContent = fp(myKey);
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
		await navigator.clipboard.writeText(myKey);
		notice('Key copied.');
	} catch (e) {
		$('my-key').parentElement.open = true;
		getSelection().selectAllChildren($('my-key'));
		notice('Select the key and copy it.');
	}
});
$('new-key').addEventListener('click', async () => {
	if (!confirm('Forget this key pair? Peers will not reach you under ' +
	    'the old key.'))
		return;
	await keyStore.remove();
	keyPair = await loadKeyPair(keyStore);
	myKey = b64uEncode(keyPair.publicKey);
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
	const name = $('peer-name').value;
	$('peer-key').value = '';
	$('peer-name').value = '';
	if (name.trim() !== '')
		setName(k, name);
	select(conv('peer', k).id);
});
$('rename-form').addEventListener('submit', (ev) => {
	ev.preventDefault();
	const c = convs.get(active);
	if (c !== undefined && c.kind === 'peer')
		setName(c.target, $('rename').value);
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
	save(history.dropConv(c.id));
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

async function start() {
	if (profile !== 'default')
		document.title = 'sws chat (' + profile + ')';
	try {
		history = await openHistory(profile);
		keyPair = await loadKeyPair(keyStore);
	} catch (e) {
		notice('This browser keeps nothing for the page (IndexedDB: ' +
		    e.message + ').');
		return;
	}
	myKey = b64uEncode(keyPair.publicKey);
	showKey();
	await loadHistory();
	$('relay-url').value = params.get('relay') ||
	    await history.get('settings', 'relay') || relayFromLocation(location);
	$('server-key').value = params.get('key') ||
	    await history.get('settings', 'serverKey') || '';
	document.body.dataset.ready = '1';
	connect();
}

start();
