// placeholder, replaced by the phone app's service worker
