// The countdown to a token's expiry: "expires in 42 s", "expires in 3 min 5 s", "expired".

export function expiryText(expiresAt: number | null, now: number): string {
  if (expiresAt === null) return 'does not expire';
  const seconds = Math.ceil((expiresAt - now) / 1000);
  if (seconds <= 0) return 'expired';
  if (seconds < 60) return `expires in ${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  if (minutes < 60) return rest ? `expires in ${minutes} min ${rest} s` : `expires in ${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return `expires in ${hours} h ${minutes % 60} min`;
}
