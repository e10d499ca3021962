// Storing what the leader recorded: on failure the form stays open with its text and says why.
import { T } from '../strings.js';

export async function saveItem(store, items) {
  try {
    if (Array.isArray(items)) await store.putMany(items);
    else await store.put(items);
    return null;
  } catch (error) {
    return error?.name === 'QuotaExceededError' ? T.quotaFull : `${T.storageFailed}${error?.message || error}`;
  }
}
