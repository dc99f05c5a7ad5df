import { describe, expect, it } from 'vitest';
import { cropOf, initialView, maxZoom, moveBy, zoomTo } from './crop';

describe('the crop square', () => {
  it('starts as the centred square of the shorter side', () => {
    expect(cropOf(initialView(1200, 800), 1200, 800)).toEqual({ x: 200, y: 0, width: 800, height: 800 });
    expect(cropOf(initialView(601, 900), 601, 900)).toEqual({ x: 0, y: 150, width: 601, height: 601 });
    expect(cropOf(initialView(512, 512), 512, 512)).toEqual({ x: 0, y: 0, width: 512, height: 512 });
  });

  it('never zooms out past the shorter side, so no empty space shows', () => {
    const view = zoomTo(initialView(1200, 800), 0.25, 1200, 800);
    expect(view.zoom).toBe(1);
    expect(cropOf(view, 1200, 800)).toEqual({ x: 200, y: 0, width: 800, height: 800 });
  });

  it('zooms in to a quarter of the shorter side at most, and not at all on a tiny picture', () => {
    expect(maxZoom(1200, 800)).toBe(4);
    expect(cropOf(zoomTo(initialView(1200, 800), 10, 1200, 800), 1200, 800).width).toBe(200);
    expect(maxZoom(40, 40)).toBe(2.5);
    expect(maxZoom(12, 300)).toBe(1);
    expect(cropOf(zoomTo(initialView(12, 300), 3, 12, 300), 12, 300)).toEqual({ x: 0, y: 144, width: 12, height: 12 });
  });

  it('stops at the picture’s edges when moved, and stays inside when zoomed back out', () => {
    let view = zoomTo(initialView(1200, 800), 2, 1200, 800);
    view = moveBy(view, 5000, -5000, 1200, 800);
    expect(cropOf(view, 1200, 800)).toEqual({ x: 800, y: 0, width: 400, height: 400 });
    view = zoomTo(view, 1, 1200, 800);
    expect(cropOf(view, 1200, 800)).toEqual({ x: 400, y: 0, width: 800, height: 800 });
  });
});
