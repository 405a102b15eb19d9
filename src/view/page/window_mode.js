// The page as the module's own window (RPi_Logger's GUI opens it with ?window=1): a compact
// layout for a small window (the picture first, the metrics, the trial, settings in a
// drawer), the camera's name as the window title, and the window's place and size reported
// to the module so the host can keep the layout the user made.
import { postJson } from './api.js';

const GEOMETRY_POLL_MS = 1000;

export function isWindowMode() {
  return new URLSearchParams(window.location.search).get('window') === '1';
}

function currentGeometry() {
  return { x: Math.round(window.screenX), y: Math.round(window.screenY), width: Math.round(window.outerWidth), height: Math.round(window.outerHeight) };
}

/** There is no "moved" event for a window: look once a second, report only a change. */
function reportGeometry() {
  let last = '';
  const check = async () => {
    const geometry = currentGeometry();
    const key = JSON.stringify(geometry);
    if (key === last || geometry.width <= 0 || geometry.height <= 0) return;
    last = key;
    document.body.dataset.geometry = key;
    await postJson('api/window/geometry', geometry);
  };
  void check();
  setInterval(() => void check(), GEOMETRY_POLL_MS);
  window.addEventListener('resize', () => void check());
}

export function startWindowMode() {
  document.body.classList.add('compact');
  const toggle = document.querySelector('[data-testid="settings-toggle"]');
  toggle.hidden = false;
  toggle.addEventListener('click', () => {
    const open = document.body.dataset.drawer !== 'open';
    document.body.dataset.drawer = open ? 'open' : 'closed';
    toggle.setAttribute('aria-expanded', String(open));
  });
  reportGeometry();
}

/** The window's title: the camera's name, as the host's own camera windows are titled. */
export function titleWith(cameraName) {
  document.title = cameraName ? `${cameraName} — cameras-usb2` : 'cameras-usb2 — no camera';
}
