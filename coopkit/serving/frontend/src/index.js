// coopkit's Voilà page, in the browser: connect to the page's kernel, draw its widgets
// in place of the placeholders the template wrote, and look after the connection.
//
// The template (share/jupyter/voila/templates/coopkit/index.html.j2) has already shown
// the loading screen and defined ``window.coopkitPage`` (its texts, in the server's
// language, then the participant's once the app sends them through
// ``coopkitPage.head``). This script runs once the page has arrived (``defer``).
//
// What it adds to the widgets:
// * a French (or English) message instead of a blank page when the server cannot be
//   reached, a banner while the connection is being restored (a phone that slept, a
//   Wi-Fi that dropped: messages wait and are sent once reconnected);
// * ``coopkitPage.releaseOnLeave()``: called by an app once its work is done (the
//   participant validated). From then on, hiding or closing the page shuts its kernel
//   down at once (Voilà's own shutdown address, with the page's XSRF token): memory
//   follows who is still answering. Back on the page, what it showed stays readable,
//   with a banner and a reload button (its address is the resume link): a glance at
//   the thank-you does not start a kernel, a reload does.

import './style.css';

import { KernelConnection } from '@jupyterlab/services/lib/kernel/default';
import { ServerConnection } from '@jupyterlab/services/lib/serverconnection';

import { PageWidgetManager } from './manager.js';

const WIDGET_VIEW = 'application/vnd.jupyter.widget-view+json';
/** How long the loading screen waits for the kernel before saying something is wrong. */
const SLOW_START = 30_000;
/** An automatic reload at most this often (ms): never a reload loop. */
const RELOAD_EVERY = 60_000;

const page = window.coopkitPage || (window.coopkitPage = { texts: {}, head() {} });

function text(key) {
  return (page.texts && page.texts[key]) || '';
}

function cookie(name) {
  const found = document.cookie.split('; ').find((c) => c.startsWith(`${name}=`));
  return found ? decodeURIComponent(found.slice(name.length + 1)) : '';
}

function reloadButton() {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = 'coopkit-page-reload';
  b.textContent = text('reload');
  b.addEventListener('click', () => window.location.reload());
  return b;
}

/** The loading screen says what went wrong, with a reload button. */
function fail(key) {
  const loading = document.getElementById('coopkit-loading');
  if (!loading) {
    banner(key, true);
    return;
  }
  loading.classList.add('coopkit-loading-failed');
  const message = document.getElementById('coopkit-loading-text');
  message.textContent = text(key);
  message.setAttribute('role', 'alert');
  if (!loading.querySelector('.coopkit-page-reload')) {
    loading.appendChild(reloadButton());
  }
  document.documentElement.dataset.coopkit = 'failed';
}

/** The banner at the top of the page (connection lost, restored...); null hides it. */
function banner(key, withReload = false) {
  const node = document.getElementById('coopkit-status');
  if (!node) {
    return;
  }
  node.textContent = key ? text(key) : '';
  node.hidden = !key;
  if (key && withReload) {
    node.appendChild(reloadButton());
  }
}

function reloadOnce() {
  const last = Number(sessionStorage.getItem('coopkit-reloaded') || 0);
  if (Date.now() - last < RELOAD_EVERY) {
    return false;
  }
  sessionStorage.setItem('coopkit-reloaded', String(Date.now()));
  window.location.reload();
  return true;
}

/** Resolves once the kernel's websocket is open; rejects if the kernel is gone. */
function connected(kernel) {
  if (kernel.connectionStatus === 'connected') {
    return Promise.resolve();
  }
  return new Promise((resolve, reject) => {
    const watch = (_sender, status) => {
      if (status === 'connected') {
        kernel.connectionStatusChanged.disconnect(watch);
        kernel.statusChanged.disconnect(gone);
        resolve();
      }
    };
    const gone = (_sender, status) => {
      if (status === 'dead') {
        kernel.connectionStatusChanged.disconnect(watch);
        kernel.statusChanged.disconnect(gone);
        reject(new Error('the page\'s kernel is gone'));
      }
    };
    kernel.connectionStatusChanged.connect(watch);
    kernel.statusChanged.connect(gone);
  });
}

function watchConnection(kernel) {
  let dead = false;
  let wasConnected = false; // the first connection is the loading screen's business
  kernel.connectionStatusChanged.connect((_sender, status) => {
    if (status === 'connected') {
      wasConnected = true;
    }
    if (page.released || !wasConnected) {
      return;
    }
    if (status === 'connected') {
      banner(null);
    } else if (status === 'connecting') {
      banner('reconnecting');
    } else if (status === 'disconnected') {
      banner('disconnected', true);
    }
  });
  kernel.statusChanged.connect((_sender, status) => {
    if (status === 'dead' && !page.released && wasConnected) {
      dead = true;
      banner('lost', true);
    }
  });
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState !== 'visible') {
      return;
    }
    if (page.released) {
      banner('released', true);
    } else if (dead) {
      reloadOnce();
    } else if (kernel.connectionStatus === 'disconnected') {
      kernel.reconnect().catch(() => banner('disconnected', true));
    }
  });
}

/** After ``releaseOnLeave()``: the page hidden or closed frees its kernel at once. */
function leave() {
  if (!page.release || page.released || !page.kernel) {
    return;
  }
  page.released = true;
  const url = `${page.baseUrl}voila/api/shutdown/${encodeURIComponent(page.kernel.id)}`;
  const body = new URLSearchParams({ _xsrf: cookie('_xsrf') });
  if (!(navigator.sendBeacon && navigator.sendBeacon(url, body))) {
    fetch(url, { method: 'POST', body, keepalive: true, credentials: 'same-origin' })
      .catch(() => {});
  }
  page.kernel.dispose(); // no reconnection to a kernel that is going away
}

page.releaseOnLeave = function releaseOnLeave() {
  page.release = true;
};
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'hidden') {
    leave();
  }
});
window.addEventListener('pagehide', leave);
window.addEventListener('pageshow', (event) => {
  if (event.persisted && page.released) {
    banner('released', true); // back from the browser's cache, kernel gone
  }
});

/** A named moment of the page's start, for benchmarks/phone_tti.py (performance API). */
function mark(name) {
  try {
    performance.mark(`coopkit:${name}`);
  } catch {
    // an old browser: nothing to measure with
  }
}

async function start() {
  mark('script');
  const configNode = document.getElementById('jupyter-config-data');
  const placeholders = [...document.querySelectorAll(`script[type="${WIDGET_VIEW}"]`)];
  if (!configNode || placeholders.length === 0) {
    fail('failed'); // Voilà's error page, or a notebook that showed nothing
    return;
  }
  const config = JSON.parse(configNode.textContent);
  const baseUrl = new URL(config.baseUrl || '/', window.location.href).href;
  page.baseUrl = baseUrl;
  const serverSettings = ServerConnection.makeSettings({
    baseUrl,
    wsUrl: `ws${baseUrl.slice(4)}`,
    appendToken: false,
  });
  const kernel = new KernelConnection({
    model: { id: config.kernelId, name: 'python3' },
    serverSettings,
    handleComms: true,
  });
  page.kernel = kernel;
  watchConnection(kernel);
  const manager = new PageWidgetManager(kernel);
  // no websocket after this long (a proxy that blocks them, a Wi-Fi that drops): say
  // so, and keep trying; the questionnaire replaces the message if it comes after all
  const slow = setTimeout(() => fail('failed'), SLOW_START);
  await connected(kernel);
  mark('connected');
  await manager.load();
  mark('states');
  for (const node of placeholders) {
    const { model_id: modelId } = JSON.parse(node.textContent);
    await manager.displayInPlace(modelId, node);
  }
  clearTimeout(slow);
  mark('drawn');
  document.getElementById('coopkit-loading')?.remove();
  document.getElementById('coopkit-cells').hidden = false;
  document.documentElement.dataset.coopkit = 'ready';
}

start().catch((err) => {
  console.error('coopkit page: could not start', err);
  fail('failed');
});
