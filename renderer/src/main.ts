import '../../preload/contract/zod-jitless';
import { mount } from 'svelte';
import App from './App.svelte';
import { createHost } from './lib/transport';
import { createStores, storesContext } from './stores';
import './app.css';

const host = createHost();

// The bridge's token has done its work (the WebSocket URL carries it and the bridge set its
// cookie): take it out of the address bar and history. A reload authenticates with the cookie.
if (host.kind === 'bridge' && new URLSearchParams(location.search).has('token')) {
  const url = new URL(location.href);
  url.searchParams.delete('token');
  history.replaceState(history.state, '', url.pathname + url.search + url.hash);
}

const stores = createStores(host);
addEventListener('pagehide', () => stores.search.flushPersist());

mount(App, { target: document.getElementById('app')!, context: storesContext(stores) });
void stores.start();
