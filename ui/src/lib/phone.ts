// Phone numbers as people type them: formatting as they type, the country (flag and name), and
// the E.164 form the server takes. Backed by libphonenumber-js with its small metadata.
import {
  AsYouType,
  getCountries,
  getCountryCallingCode,
  parsePhoneNumberFromString,
  type CountryCode,
} from 'libphonenumber-js/min';

export type { CountryCode };

export type Country = { code: CountryCode; name: string; flag: string; callingCode: string };

/** The flag emoji of a two-letter region code, from its regional indicator symbols. */
export function flag(code: string): string {
  return String.fromCodePoint(...[...code.toUpperCase()].map((c) => 0x1f1e6 + c.charCodeAt(0) - 65));
}

const regionNames = (() => {
  try {
    return new Intl.DisplayNames(['en'], { type: 'region' });
  } catch {
    return null;
  }
})();

export function countryName(code: string): string {
  return regionNames?.of(code) ?? code;
}

let countries: Country[] | null = null;

/** Every country libphonenumber knows, by name. */
export function allCountries(): Country[] {
  countries ??= getCountries()
    .map((code) => ({ code, name: countryName(code), flag: flag(code), callingCode: getCountryCallingCode(code) }))
    .sort((a, b) => a.name.localeCompare(b.name));
  return countries;
}

export function isCountry(code: string | undefined | null): code is CountryCode {
  return !!code && (getCountries() as string[]).includes(code);
}

/**
 * The region of the system's locale ("en-US" → US; "de" → DE by likely subtags), or US when it
 * names none that has phone numbers.
 */
export function defaultCountry(language: string | undefined = globalThis.navigator?.language): CountryCode {
  try {
    const region = language ? new Intl.Locale(language).maximize().region : undefined;
    if (isCountry(region)) return region;
  } catch {
    // An unparseable language tag: fall through.
  }
  return 'US';
}

const digitCount = (text: string) => (text.match(/[\d+]/g) ?? []).length;

/**
 * Formats what was typed for `country` and says where the caret goes: after the same number of
 * digits as before it. A number that starts with + picks its own country.
 */
export function formatAsYouType(
  text: string,
  country: CountryCode,
  caret: number = text.length,
): { text: string; caret: number; country: CountryCode | undefined } {
  const kept = text.replace(/[^\d+]/g, '').replace(/(?!^)\+/g, '');
  const typer = new AsYouType(country);
  const formatted = kept ? typer.input(kept) : '';
  const before = digitCount(text.slice(0, caret));
  let at = formatted.length;
  if (before === 0) at = 0;
  else {
    let seen = 0;
    for (let i = 0; i < formatted.length; i++) {
      if (/[\d+]/.test(formatted[i] ?? '')) seen++;
      if (seen === before) {
        at = i + 1;
        break;
      }
    }
  }
  return { text: formatted, caret: at, country: typer.getCountry() };
}

/**
 * The number in E.164 form when it has a possible length for its country, else null. Whether the
 * number exists is the server's to say: the metadata here is small and may lag new ranges.
 */
export function toE164(text: string, country: CountryCode): string | null {
  const phone = parsePhoneNumberFromString(text, country);
  return phone?.isPossible() ? phone.number : null;
}

// Where several countries share a calling code, the one a bare "+1" most likely means.
const MAIN_COUNTRY: Record<string, CountryCode> = {
  '1': 'US',
  '7': 'RU',
  '39': 'IT',
  '44': 'GB',
  '47': 'NO',
  '61': 'AU',
  '212': 'MA',
  '262': 'RE',
  '290': 'SH',
  '358': 'FI',
  '590': 'GP',
  '599': 'CW',
};

/**
 * The country a complete or partial number belongs to: `selected` for a national number, and for
 * an international one (+…) the country its digits say, else the selected or main country of its
 * calling code. Undefined while the calling code is not known yet.
 */
export function countryOf(text: string, selected: CountryCode): CountryCode | undefined {
  const kept = text.replace(/[^\d+]/g, '');
  if (!kept.startsWith('+')) return selected;
  const typer = new AsYouType(selected);
  typer.input(kept);
  const exact = typer.getCountry();
  if (exact) return exact;
  const calling = typer.getCallingCode();
  if (!calling) return undefined;
  const sharing = getCountries().filter((c) => getCountryCallingCode(c) === calling);
  if (sharing.includes(selected)) return selected;
  return MAIN_COUNTRY[calling] ?? sharing[0];
}

/** A stored E.164 number for reading: "+1 201 555 0123", with its country. */
export function displayPhone(e164: string): { text: string; country: CountryCode | undefined } {
  const phone = parsePhoneNumberFromString(e164);
  if (!phone) return { text: e164, country: undefined };
  return { text: phone.formatInternational(), country: phone.country };
}
