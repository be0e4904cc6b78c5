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

// The demo's own records, in one IndexedDB database per profile
// ("sws-demo.PROFILE"): conversations, their lines, the names given to
// keys, and settings (relay URL, pinned key).  Nothing leaves the browser.

function req(r) {
	return new Promise((resolve, reject) => {
		r.onsuccess = () => resolve(r.result);
		r.onerror = () => reject(r.error);
	});
}

export async function openHistory(profile) {
	const r = indexedDB.open('sws-demo.' + profile, 1);
	r.onupgradeneeded = () => {
		const db = r.result;
		db.createObjectStore('convs', { keyPath: 'id' });
		const items = db.createObjectStore('items',
		    { keyPath: 'n', autoIncrement: true });
		items.createIndex('conv', 'conv');
		db.createObjectStore('names');
		db.createObjectStore('settings');
	};
	return new History(await req(r));
}

class History {
	constructor(db) {
		this.db = db;
	}

	async run(store, mode, fn) {
		const t = this.db.transaction(store, mode);
		const v = await req(fn(t.objectStore(store)));
		await new Promise((resolve, reject) => {
			t.oncomplete = resolve;
			t.onerror = () => reject(t.error);
			t.onabort = () => reject(t.error);
		});
		return v;
	}

	all(store) {
		return this.run(store, 'readonly', (s) => s.getAll());
	}

	async entries(store) {
		const keys = await this.run(store, 'readonly', (s) => s.getAllKeys());
		const vals = await this.all(store);
		return keys.map((k, i) => [k, vals[i]]);
	}

	get(store, key) {
		return this.run(store, 'readonly', (s) => s.get(key));
	}

	// put(store, value) for stores with a key path, else with key
	put(store, value, key) {
		return this.run(store, 'readwrite', (s) => key === undefined ?
		    s.put(value) : s.put(value, key));
	}

	remove(store, key) {
		return this.run(store, 'readwrite', (s) => s.delete(key));
	}

	itemsOf(conv) {
		return this.run('items', 'readonly', (s) =>
		    s.index('conv').getAll(conv));
	}

	async dropConv(conv) {
		const t = this.db.transaction(['convs', 'items'], 'readwrite');
		t.objectStore('convs').delete(conv);
		const keys = await req(t.objectStore('items').index('conv')
		    .getAllKeys(conv));
		for (const k of keys)
			t.objectStore('items').delete(k);
		await new Promise((resolve, reject) => {
			t.oncomplete = resolve;
			t.onerror = () => reject(t.error);
		});
	}
}
