// The device's own store (IndexedDB): the outbox and a few cached lists.
//   outbox: one record per action, keyed by its idempotency key (see outbox.js)
//   kv:     cached server data (categories, grids, my reports, tasks) by name

const DB_NAME = "grid-app";
const DB_VERSION = 1;

let opening = null;

function open() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, DB_VERSION);
      request.onupgradeneeded = () => {
        const db = request.result;
        if (!db.objectStoreNames.contains("outbox")) {
          db.createObjectStore("outbox", { keyPath: "key" }).createIndex("created", "created");
        }
        if (!db.objectStoreNames.contains("kv")) db.createObjectStore("kv");
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }
  return opening;
}

function done(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function tx(store, mode, work) {
  const db = await open();
  const transaction = db.transaction(store, mode);
  const finished = new Promise((resolve, reject) => {
    transaction.oncomplete = resolve;
    transaction.onerror = () => reject(transaction.error);
    transaction.onabort = () => reject(transaction.error);
  });
  const result = await work(transaction.objectStore(store));
  await finished;
  return result;
}

export const kv = {
  get: (name) => tx("kv", "readonly", (s) => done(s.get(name))),
  set: (name, value) => tx("kv", "readwrite", (s) => done(s.put(value, name))),
  delete: (name) => tx("kv", "readwrite", (s) => done(s.delete(name))),
  /** Forget what was kept for one person (tasks, reports); the district's data stays. */
  forgetPersonal: () =>
    tx("kv", "readwrite", async (s) => {
      for (const name of await done(s.getAllKeys())) {
        if (name !== "categories" && name !== "grids") s.delete(name);
      }
    }),
};

export const outboxStore = {
  all: () => tx("outbox", "readonly", (s) => done(s.index("created").getAll())),
  get: (key) => tx("outbox", "readonly", (s) => done(s.get(key))),
  put: (item) => tx("outbox", "readwrite", (s) => done(s.put(item))),
  delete: (key) => tx("outbox", "readwrite", (s) => done(s.delete(key))),
};
