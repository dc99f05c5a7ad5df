// How a session's device is named and placed, e.g. "Chrome 124 on macOS", "Berlin, Germany".
import type { SessionActivity } from '$lib/bindings';

const OS: Record<string, string> = {
  macintosh: 'macOS',
  mac: 'macOS',
  macos: 'macOS',
  windows: 'Windows',
  linux: 'Linux',
  iphone: 'iPhone',
  ipad: 'iPad',
  android: 'Android',
  chromeos: 'ChromeOS',
};

/** Browsers whose full version says more than a person needs: only the major one shows. */
const MAJOR_ONLY = new Set(['chrome', 'chromium', 'firefox', 'edge', 'opera', 'brave', 'safari', 'vivaldi']);

export function deviceName(activity: SessionActivity | null | undefined): string {
  const browser = activity?.browser_name?.trim();
  let version = activity?.browser_version?.trim() ?? '';
  if (browser && version && MAJOR_ONLY.has(browser.toLowerCase())) version = version.split('.')[0] ?? version;
  const device = activity?.device_type?.trim();
  const os = device ? (OS[device.toLowerCase()] ?? device) : '';
  const app = browser ? [browser, version].filter(Boolean).join(' ') : '';
  if (app && os) return `${app} on ${os}`;
  return app || os || 'Unknown device';
}

export function deviceLocation(activity: SessionActivity | null | undefined): string | null {
  const place = [activity?.city, activity?.country].map((p) => p?.trim()).filter(Boolean).join(', ');
  return place || null;
}
