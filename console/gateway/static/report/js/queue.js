// A report made without network, kept on the phone (IndexedDB, its own database: the staff
// app's outbox is never touched) until it is sent: its fields, its photos and its
// Idempotency-Key, so sending it again after a lost answer never makes a second case.

const DB_NAME = "grid-report";
const STORE = "pending";

let opening = null;

function open() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: "key" });
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }
  return opening;
}

async function run(mode, work) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const transaction = db.transaction(STORE, mode);
    const request = work(transaction.objectStore(STORE));
    transaction.oncomplete = () => resolve(request.result);
    transaction.onerror = () => reject(transaction.error);
    transaction.onabort = () => reject(transaction.error);
  });
}

/** The reports waiting, oldest first: {key, fields, photos: [{blob, name}], at}. */
export const pending = {
  all: async () => ((await run("readonly", (s) => s.getAll())) || []).sort((a, b) => a.at - b.at),
  put: (item) => run("readwrite", (s) => s.put(item)),
  delete: (key) => run("readwrite", (s) => s.delete(key)),
};
