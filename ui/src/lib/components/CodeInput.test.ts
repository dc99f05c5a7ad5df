import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import CodeInput from './CodeInput.svelte';

const box = (i: number) => screen.getByTestId(`code-digit-${i}`) as HTMLInputElement;

describe('the code boxes', () => {
  it('hand a full code over once, and again only after it changed', async () => {
    const handed: string[] = [];
    render(CodeInput, { props: { testid: 'code', oncomplete: (code: string) => handed.push(code) } });
    const ue = userEvent.setup();

    await ue.click(box(0));
    await ue.keyboard('12345');
    expect(handed).toEqual([]);
    await ue.keyboard('6');
    expect(handed).toEqual(['123456']);

    // Typing over a full code changes nothing to hand over; emptying a box and refilling it does.
    await ue.click(box(5));
    await ue.keyboard('{Backspace}');
    expect(handed).toEqual(['123456']);
    await ue.keyboard('9');
    expect(handed).toEqual(['123456', '123459']);
  });

  it('keep a full code while the caller is busy, and hand it over when it is free', async () => {
    const handed: string[] = [];
    const { rerender } = render(CodeInput, {
      props: { testid: 'code', waiting: true, oncomplete: (code: string) => handed.push(code) },
    });
    const ue = userEvent.setup();
    await ue.click(box(0));
    await ue.paste('654321');
    expect(handed).toEqual([]);

    await rerender({ waiting: false });
    expect(handed).toEqual(['654321']);
  });
});
