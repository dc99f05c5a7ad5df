import { describe, expect, it } from 'vitest';
import { countryOf, defaultCountry, displayPhone, flag, formatAsYouType, toE164 } from './phone';

describe('phone numbers as typed', () => {
  it('formats for the chosen country as digits come in', () => {
    expect(formatAsYouType('2015550123', 'US').text).toBe('(201) 555-0123');
    expect(formatAsYouType('201555', 'US').text).toBe('(201) 555');
    expect(formatAsYouType('020 7946 0958', 'GB').text).toBe('020 7946 0958');
    expect(formatAsYouType('', 'US').text).toBe('');
  });

  it('keeps the caret after the same digit when the formatting moves it', () => {
    // "(201) 55|5-0123" with the caret after the fifth digit; an edit removed the brackets.
    const r = formatAsYouType('201 55x5-0123', 'US', 6);
    expect(r.text).toBe('(201) 555-0123');
    expect(r.text.slice(0, r.caret)).toBe('(201) 55');
  });

  it('follows an international number to its country', () => {
    expect(formatAsYouType('+442079460958', 'US').country).toBe('GB');
    expect(countryOf('+44 20 7946 0958', 'US')).toBe('GB');
    // Only the calling code so far: the main country that has it, or the chosen one if it shares it.
    expect(countryOf('+1', 'DE')).toBe('US');
    expect(countryOf('+1', 'CA')).toBe('CA');
    expect(countryOf('+', 'DE')).toBeUndefined();
    expect(countryOf('030 1234', 'DE')).toBe('DE');
  });

  it('gives E.164 only for a number of a possible length', () => {
    expect(toE164('(201) 555-0123', 'US')).toBe('+12015550123');
    expect(toE164('+44 20 7946 0958', 'US')).toBe('+442079460958');
    expect(toE164('201 555', 'US')).toBeNull();
    expect(toE164('hello', 'US')).toBeNull();
  });

  it('names a flag and the system region', () => {
    expect(flag('US')).toBe('🇺🇸');
    expect(flag('gb')).toBe('🇬🇧');
    expect(defaultCountry('en-US')).toBe('US');
    expect(defaultCountry('fr-CA')).toBe('CA');
    expect(defaultCountry('de')).toBe('DE');
    expect(defaultCountry('not a tag!')).toBe('US');
    expect(defaultCountry(undefined)).toBe('US');
  });

  it('shows a stored number internationally with its country', () => {
    expect(displayPhone('+12015550123')).toEqual({ text: '+1 201 555 0123', country: 'US' });
    expect(displayPhone('nonsense')).toEqual({ text: 'nonsense', country: undefined });
  });
});
