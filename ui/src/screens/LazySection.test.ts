import { render, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import type { Component } from 'svelte';
import LazySection from './LazySection.svelte';
import Planned from '../sections/Planned.svelte';
import { SECTION_INFO } from '$lib/sections';

describe('a lazily loaded section', () => {
  it('shows the section once its code has arrived', async () => {
    let arrive: (section: Component<Record<string, unknown>>) => void = () => {};
    const load = () => new Promise<Component<Record<string, unknown>>>((resolve) => (arrive = resolve));
    render(LazySection, { props: { load, props: { info: SECTION_INFO.devices } } });

    expect(screen.getByTestId('section-loading')).toHaveTextContent('Loading');
    arrive(Planned as unknown as Component<Record<string, unknown>>);

    expect(await screen.findByRole('heading', { level: 1, name: 'Devices' })).toBeVisible();
    expect(screen.queryByTestId('section-loading')).not.toBeInTheDocument();
  });

  it('says in place when the code cannot be loaded', async () => {
    const load = () => Promise.reject(new Error('Failed to fetch dynamically imported module'));
    render(LazySection, { props: { load, props: {} } });

    expect(await screen.findByTestId('section-load-failed')).toHaveTextContent(
      'This section could not be loaded: Failed to fetch dynamically imported module',
    );
  });
});
