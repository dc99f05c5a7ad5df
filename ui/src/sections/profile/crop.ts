// The crop editor's geometry, in the source picture's pixels. The crop is a square whose side is
// the picture's shorter side divided by the zoom, so at zoom 1 it fills that side and it never
// shows empty space; its centre is kept where the square stays inside the picture.
import type { AvatarCrop } from '$lib/bindings';

/** Where the crop is: its centre (source pixels) and the zoom (1 = the square fits the shorter side). */
export type CropView = { centerX: number; centerY: number; zoom: number };

/** Zooming further than this makes a crop too small to look good as an avatar. */
const MAX_ZOOM = 4;
/** The smallest crop side (source pixels) zooming may reach on a small picture. */
const MIN_SIDE = 16;

const clamp = (value: number, low: number, high: number) => Math.min(high, Math.max(low, value));

/** How far a picture of this size can be zoomed in (1 when it is already tiny). */
export function maxZoom(width: number, height: number): number {
  return clamp(Math.min(width, height) / MIN_SIDE, 1, MAX_ZOOM);
}

/** The crop a new picture starts with: the centred square, as large as the picture allows. */
export function initialView(width: number, height: number): CropView {
  return { centerX: width / 2, centerY: height / 2, zoom: 1 };
}

/** The side of the crop square at this zoom, in source pixels (not rounded). */
export function cropSide(view: CropView, width: number, height: number): number {
  return Math.min(width, height) / clamp(view.zoom, 1, maxZoom(width, height));
}

/** The same view with its zoom in range and its square inside the picture. */
export function clampView(view: CropView, width: number, height: number): CropView {
  const zoom = clamp(view.zoom, 1, maxZoom(width, height));
  const half = Math.min(width, height) / zoom / 2;
  return {
    zoom,
    centerX: clamp(view.centerX, half, width - half),
    centerY: clamp(view.centerY, half, height - half),
  };
}

/** Moves the crop by (dx, dy) source pixels; it stops at the picture's edges. */
export function moveBy(view: CropView, dx: number, dy: number, width: number, height: number): CropView {
  return clampView({ ...view, centerX: view.centerX + dx, centerY: view.centerY + dy }, width, height);
}

/** Zooms about the crop's centre; the crop then moves back inside the picture if it has to. */
export function zoomTo(view: CropView, zoom: number, width: number, height: number): CropView {
  return clampView({ ...view, zoom }, width, height);
}

/** The crop to upload: whole source pixels, square, inside the picture. */
export function cropOf(view: CropView, width: number, height: number): AvatarCrop {
  const short = Math.min(width, height);
  const side = clamp(Math.round(cropSide(view, width, height)), 1, short);
  const { centerX, centerY } = clampView(view, width, height);
  return {
    x: clamp(Math.round(centerX - side / 2), 0, width - side),
    y: clamp(Math.round(centerY - side / 2), 0, height - side),
    width: side,
    height: side,
  };
}
