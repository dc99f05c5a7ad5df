// Generated from the Rust types by `make bindings`; do not edit.

export type JsonValue = number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null;

export type User = { 
/**
 * Its id (`user_…`).
 */
id: string, 
/**
 * Always `user`.
 */
object: string, 
/**
 * The username, where the instance uses them.
 */
username: string | null, 
/**
 * First name.
 */
first_name: string | null, 
/**
 * Last name.
 */
last_name: string | null, 
/**
 * The profile image, or a generated default avatar.
 */
image_url: string, 
/**
 * `true` when the person uploaded a profile image.
 */
has_image: boolean, 
/**
 * The primary email address's id.
 */
primary_email_address_id: string | null, 
/**
 * The primary phone number's id.
 */
primary_phone_number_id: string | null, 
/**
 * The primary web3 wallet's id (Userdesk does not manage wallets).
 */
primary_web3_wallet_id: string | null, 
/**
 * `true` when the person has a password.
 */
password_enabled: boolean, 
/**
 * `true` when two-factor authentication is on (the seed's `twoFactorEnabled()`).
 */
two_factor_enabled: boolean, 
/**
 * `true` when an authenticator app is set up.
 */
totp_enabled: boolean, 
/**
 * `true` when backup codes exist.
 */
backup_code_enabled: boolean, 
/**
 * Every email address.
 */
email_addresses: Array<EmailAddress>, 
/**
 * Every phone number.
 */
phone_numbers: Array<PhoneNumber>, 
/**
 * Web3 wallets (kept as the server sends them; Userdesk does not manage them).
 */
web3_wallets: Array<JsonValue>, 
/**
 * Every passkey.
 */
passkeys: Array<Passkey>, 
/**
 * Every connected OAuth account, verified or not.
 */
external_accounts: Array<ExternalAccount>, 
/**
 * SAML accounts (kept as the server sends them).
 */
saml_accounts: Array<JsonValue>, 
/**
 * Enterprise accounts (kept as the server sends them).
 */
enterprise_accounts: Array<JsonValue>, 
/**
 * When the password last changed (Unix ms).
 */
password_last_updated_at: number | null, 
/**
 * Set by the service through the Backend API; read-only here.
 */
public_metadata: Record<string, JsonValue>, 
/**
 * Read and written by the person's own clients.
 */
unsafe_metadata: Record<string, JsonValue>, 
/**
 * An id in another system, set through the Backend API.
 */
external_id: string | null, 
/**
 * Last sign-in (Unix ms).
 */
last_sign_in_at: number | null, 
/**
 * Banned by the instance.
 */
banned: boolean, 
/**
 * Locked after too many failed sign-ins.
 */
locked: boolean, 
/**
 * Seconds until a lockout ends.
 */
lockout_expires_in_seconds: number | null, 
/**
 * Sign-in attempts left before a lockout.
 */
verification_attempts_remaining: number | null, 
/**
 * Created (Unix ms).
 */
created_at: number, 
/**
 * Last changed (Unix ms).
 */
updated_at: number, 
/**
 * `true` when the person may delete their own account.
 */
delete_self_enabled: boolean, 
/**
 * `true` when the person may create organisations.
 */
create_organization_enabled: boolean, 
/**
 * Last activity (Unix ms).
 */
last_active_at: number | null, 
/**
 * When two-factor was turned on (Unix ms).
 */
mfa_enabled_at: number | null, 
/**
 * When two-factor was turned off (Unix ms).
 */
mfa_disabled_at: number | null, 
/**
 * When the person accepted the legal terms (Unix ms).
 */
legal_accepted_at: number | null, };

export type EmailAddress = { 
/**
 * Its id (`idn_…`).
 */
id: string, 
/**
 * Always `email_address`.
 */
object: string, 
/**
 * The address.
 */
email_address: string, 
/**
 * Reserved by the instance, not removable.
 */
reserved: boolean, 
/**
 * Its verification; `None` before one was prepared.
 */
verification: Verification | null, 
/**
 * Identifications it came with.
 */
linked_to: Array<IdentificationLink>, 
/**
 * Created (Unix ms).
 */
created_at: number, 
/**
 * Last changed (Unix ms).
 */
updated_at: number, };

export type PhoneNumber = { 
/**
 * Its id (`idn_…`).
 */
id: string, 
/**
 * Always `phone_number`.
 */
object: string, 
/**
 * The number in E.164 form.
 */
phone_number: string, 
/**
 * Kept for two-factor authentication rather than sign-in.
 */
reserved_for_second_factor: boolean, 
/**
 * The default second factor.
 */
default_second_factor: boolean, 
/**
 * Reserved by the instance, not removable.
 */
reserved: boolean, 
/**
 * Its verification; `None` before one was prepared.
 */
verification: Verification | null, 
/**
 * Identifications it came with.
 */
linked_to: Array<IdentificationLink>, 
/**
 * Backup codes, returned once when the number becomes a second factor.
 */
backup_codes?: Array<string> | null, 
/**
 * Created (Unix ms).
 */
created_at: number, 
/**
 * Last changed (Unix ms).
 */
updated_at: number, };

export type IdentificationLink = { 
/**
 * The kind of the linked identification, e.g. `oauth_github`.
 */
type: string, 
/**
 * Its id.
 */
id: string, };

export type ExternalAccount = { 
/**
 * Always `external_account`.
 */
object: string, 
/**
 * Its id (`eac_…`).
 */
id: string, 
/**
 * The provider, e.g. `oauth_github`.
 */
provider: string, 
/**
 * The identification it belongs to (`idn_…`).
 */
identification_id: string, 
/**
 * The user's id at the provider.
 */
provider_user_id: string, 
/**
 * The scopes the person granted, space-separated as on the wire; see [`Self::approved_scopes`].
 */
approved_scopes: string, 
/**
 * The email address the provider gave.
 */
email_address: string, 
/**
 * The first name the provider gave.
 */
first_name: string, 
/**
 * The last name the provider gave.
 */
last_name: string, 
/**
 * The provider's avatar URL.
 */
avatar_url: string, 
/**
 * The provider's avatar, as served by the instance.
 */
image_url?: string | null, 
/**
 * The username at the provider.
 */
username: string | null, 
/**
 * The phone number the provider gave.
 */
phone_number?: string | null, 
/**
 * Public metadata from the provider.
 */
public_metadata: Record<string, JsonValue>, 
/**
 * Tells apart several accounts of one provider.
 */
label: string | null, 
/**
 * Created (Unix ms).
 */
created_at: number, 
/**
 * Last changed (Unix ms).
 */
updated_at: number, 
/**
 * The state of the OAuth round trip that links it.
 */
verification: Verification | null, };

export type Verification = { 
/**
 * The kind of verification, e.g. `verification_otp`, `verification_oauth`.
 */
object?: string | null, 
/**
 * Where it stands.
 */
status: VerificationStatus, 
/**
 * How it is done, e.g. `email_code`, `phone_code`, `oauth_github`, `password`.
 */
strategy: string, 
/**
 * Attempts so far; a verification usually allows at most 3.
 */
attempts: number | null, 
/**
 * When it stops being valid (Unix ms).
 */
expire_at: number | null, 
/**
 * For OAuth strategies: where to send the person to verify.
 */
external_verification_redirect_url?: string | null, 
/**
 * What went wrong, for strategies that report it (OAuth).
 */
error?: ClerkError | null, 
/**
 * For `passkey`: the WebAuthn options of the ceremony as a JSON string (creation options
 * when registering, request options when signing in).
 */
nonce?: string | null, };

export type Passkey = { 
/**
 * Its id (`pk_…`).
 */
id: string, 
/**
 * Always `passkey`.
 */
object: string, 
/**
 * The name the person gave it (or the server's default).
 */
name: string, 
/**
 * Last used to sign in or verify (Unix ms).
 */
last_used_at: number | null, 
/**
 * The registration's verification (`verification_passkey`).
 */
verification: Verification | null, 
/**
 * Created (Unix ms).
 */
created_at: number, 
/**
 * Last changed (Unix ms).
 */
updated_at: number, };

export type VerificationStatus = "unverified" | "verified" | "transferable" | "failed" | "expired";

export type ClerkError = { 
/**
 * A short, human-readable message.
 */
message: string, 
/**
 * A longer message with more detail.
 */
long_message: string, 
/**
 * A stable machine code, e.g. `form_password_incorrect`.
 */
code: string, 
/**
 * Extra facts, e.g. `param_name` for the form field concerned.
 */
meta?: Record<string, JsonValue>, };

export type UpdateUserParams = { 
/**
 * New first name.
 */
first_name?: string, 
/**
 * New last name.
 */
last_name?: string, 
/**
 * New username.
 */
username?: string, 
/**
 * A verified email address of the user's to make primary.
 */
primary_email_address_id?: string, 
/**
 * A verified phone number of the user's to make primary.
 */
primary_phone_number_id?: string, };

export type AppInfo = { version: string, instance: InstanceInfo, demo_account: DemoAccount | null, token_storage: TokenStorage, 
/**
 * Where the embedded server's key for two-step secrets is kept; `null` for other instances.
 */
server_key_storage: TokenStorage | null, 
/**
 * `true` when the embedded server's development outbox can be read (`dev_outbox`).
 */
dev_outbox: boolean, };

export type InstanceInfo = { kind: InstanceKind, fapi_url: string, 
/**
 * A short name: "Embedded account server" or the host.
 */
label: string, };

export type InstanceKind = "embedded" | "clerk" | "url";

export type DemoAccount = { email: string, password: string, };

export type TokenStorage = { "kind": "keychain" } | { "kind": "file", path: string, reason: string, };

export type Settings = { instance: InstanceSetting, theme: Theme, 
/**
 * Closing the window keeps Userdesk running in the tray, watching over the account.
 */
keep_in_tray: boolean, };

export type InstanceSetting = { "kind": "embedded" } | { "kind": "publishable_key", key: string, } | { "kind": "fapi_url", url: string, };

export type Theme = "system" | "light" | "dark";

export type VerificationStrategy = "email_code" | "email_link";

export type OAuthStarted = { flow_id: string, 
/**
 * Where the system browser was sent.
 */
authorization_url: string, };

export type OAuthFinished = { flow_id: string, 
/**
 * The account (its id in the app) that started the round trip, and in which it completed,
 * whichever account is shown now.
 */
account_id: string, kind: OAuthFlowKind, 
/**
 * The provider's strategy (`oauth_github`); `None` for a reauthorization, whose account says.
 */
strategy: string | null, } & ({ "status": "account_verified", user: User, external_account_id: string, } | { "status": "account_failed", user: User, external_account_id: string | null, error: CommandError, } | { "status": "signed_in", user: User, 
/**
 * The sign-in created the account.
 */
new_user: boolean, } | { "status": "needs_second_factor", second_factor: SecondFactorStep, } | { "status": "sign_in_failed", error: CommandError, } | { "status": "error", error: CommandError, });

export type OAuthOutcome = { "status": "account_verified", user: User, external_account_id: string, } | { "status": "account_failed", user: User, external_account_id: string | null, error: CommandError, } | { "status": "signed_in", user: User, 
/**
 * The sign-in created the account.
 */
new_user: boolean, } | { "status": "needs_second_factor", second_factor: SecondFactorStep, } | { "status": "sign_in_failed", error: CommandError, } | { "status": "error", error: CommandError, };

export type OAuthFlowKind = "connect" | "reauthorize" | "sign_in";

export type OutboxMessage = { 
/**
 * Its id (`msg_…`).
 */
id: string, 
/**
 * The email address or E.164 phone number it is for.
 */
to: string, 
/**
 * Email or SMS.
 */
channel: OutboxChannel, 
/**
 * The one-time code it carries, if any.
 */
code: string | null, 
/**
 * The verification link it carries, if any.
 */
link: string | null, 
/**
 * When it was "sent" (Unix ms).
 */
sent_at: number, 
/**
 * The email's subject (for an SMS, a short description).
 */
subject: string, 
/**
 * The text a person would read.
 */
body: string, };

export type OutboxChannel = "email" | "sms";

export type SignInResult = { "status": "complete", user: User, } | { "status": "needs_second_factor" } & SecondFactorStep | { "status": "needs_client_trust" } & CodeSent;

export type SecondFactorStep = { sign_in_id: string, 
/**
 * What the account allows, in the server's order (its default first).
 */
strategies: Array<SecondFactor>, phone: SecondFactorPhone | null, };

export type SecondFactorPhone = { phone_number_id: string, safe_identifier: string, };

export type Devices = { 
/**
 * This device's session.
 */
current_session_id: string | null, sessions: Array<SessionWithActivities>, };

export type SignUpForm = { email_address: string | null, phone_number: string | null, username: string | null, first_name: string | null, last_name: string | null, password: string | null, 
/**
 * A JSON object copied onto the new account's unsafe metadata.
 */
unsafe_metadata: JsonValue | null, legal_accepted: boolean, };

export type SignUpOptions = { email_address: FieldRule, phone_number: FieldRule, username: FieldRule, first_name: FieldRule, last_name: FieldRule, password: FieldRule, 
/**
 * `Some`: a checkbox accepting these terms.
 */
legal_consent: LegalConsent | null, };

export type FieldRule = "off" | "optional" | "required";

export type LegalConsent = { terms_url: string | null, privacy_policy_url: string | null, };

export type LegalDocument = "terms" | "privacy_policy";

export type SignUpStep = { "status": "complete", user: User, } | { "status": "needs_verification", sign_up_id: string, strategy: SignUpStrategy, 
/**
 * The email address or phone number, as the instance keeps it.
 */
to: string, };

export type SignUpStrategy = "email_code" | "email_link" | "phone_code";

export type SessionWithActivities = { 
/**
 * Its id (`sess_…`).
 */
id: string, 
/**
 * Always `session`.
 */
object: string, 
/**
 * Where it stands.
 */
status: SessionStatus, 
/**
 * When it ends however active it is (Unix ms).
 */
expire_at: number, 
/**
 * When it lapses if unused (Unix ms).
 */
abandon_at: number, 
/**
 * Last use (Unix ms).
 */
last_active_at: number, 
/**
 * The latest session token, where the server includes it.
 */
last_active_token?: Token | null, 
/**
 * Where and how it was last used.
 */
latest_activity?: SessionActivity | null, };

export type SessionActivity = { 
/**
 * Always `session_activity`.
 */
object: string, 
/**
 * Its id.
 */
id: string, 
/**
 * e.g. `Macintosh`, `Windows`, `Linux`, `iPhone`.
 */
device_type?: string | null, 
/**
 * `true` for phones and tablets.
 */
is_mobile: boolean, 
/**
 * e.g. `Chrome`, `Userdesk`.
 */
browser_name?: string | null, 
/**
 * e.g. `124.0.1`.
 */
browser_version?: string | null, 
/**
 * The address it came from.
 */
ip_address?: string | null, 
/**
 * The city, where known.
 */
city?: string | null, 
/**
 * The country, where known.
 */
country?: string | null, };

export type SessionStatus = "active" | "revoked" | "ended" | "expired" | "removed" | "abandoned" | "pending";

export type Token = { 
/**
 * Always `token`.
 */
object: string, 
/**
 * The encoded JWT.
 */
jwt: string, };

export type Totp = { 
/**
 * Always `totp`.
 */
object: string, 
/**
 * Its id.
 */
id: string, 
/**
 * The shared secret (base32), shown once while enrolling.
 */
secret: string | null, 
/**
 * The `otpauth://` URI for a QR code, shown once while enrolling.
 */
uri: string | null, 
/**
 * `true` once a first code confirmed it.
 */
verified: boolean, 
/**
 * Backup codes, returned once when the enrolment is verified.
 */
backup_codes?: Array<string> | null, 
/**
 * Created (Unix ms).
 */
created_at: number, 
/**
 * Last changed (Unix ms).
 */
updated_at: number, };

export type BackupCodes = { 
/**
 * Always `backup_code`.
 */
object: string, 
/**
 * Its id.
 */
id: string, 
/**
 * The codes; each works once.
 */
codes: Array<string>, 
/**
 * Created (Unix ms).
 */
created_at: number, 
/**
 * Last changed (Unix ms).
 */
updated_at: number, };

export type SecondFactor = "totp" | "phone_code" | "backup_code";

export type SignInOptions = { 
/**
 * The password field (else the identifier leads to a code).
 */
password: boolean, 
/**
 * "Email me a code instead" (or a text).
 */
code: boolean, 
/**
 * "Email me a sign-in link".
 */
link: boolean, 
/**
 * "Forgot password?".
 */
reset_password: boolean, 
/**
 * Usernames identify people too.
 */
username: boolean, 
/**
 * Phone numbers identify people too.
 */
phone_number: boolean, 
/**
 * "Sign in with a passkey".
 */
passkey: boolean, };

export type AccountRules = { 
/**
 * Sensitive changes need a recently verified session (the app asks when the instance says
 * so); the current password is then not asked on a password change (Clerk's rule).
 */
reverification: boolean, };

export type CodePurpose = "sign_in" | "reset_password" | "client_trust";

export type CodeSent = { sign_in_id: string, 
/**
 * Where it went, partly masked as the instance shows it.
 */
sent_to: string, 
/**
 * `true` for a text message, `false` for an email.
 */
by_sms: boolean, };

export type CodeSignInResult = { "status": "complete", user: User, } | { "status": "needs_second_factor" } & SecondFactorStep | { "status": "needs_new_password", sign_in_id: string, };

export type LinkSent = { sign_in_id: string, 
/**
 * The address it went to, partly masked as the instance shows it.
 */
sent_to: string, };

export type LinkSignInState = { "status": "waiting" } | { "status": "expired" } | { "status": "complete", user: User, } | { "status": "needs_second_factor" } & SecondFactorStep;

export type SignInMethod = { 
/**
 * `password`, `email_code`, `phone_code`, `email_link` or `passkey`.
 */
strategy: string, 
/**
 * Where a code or link goes, partly masked as the instance shows it.
 */
safe_identifier: string | null, 
/**
 * The email address or phone number it goes to.
 */
target_id: string | null, };

export type ReverificationStep = { level: ReverificationLevel, status: ReverificationStatus, first_factors: Array<ReverificationFirstFactor>, second_factors: Array<ReverificationSecondFactor>, };

export type ReverificationFirstFactor = { "strategy": "password" } | { "strategy": "passkey" } | { "strategy": "email_code", email_address_id: string, safe_identifier: string, };

export type ReverificationSecondFactor = { strategy: SecondFactor, 
/**
 * The phone a `phone_code` goes to.
 */
phone_number_id: string | null, safe_identifier: string | null, };

export type ReverificationLevel = "first_factor" | "second_factor" | "multi_factor";

export type ReverificationStatus = "needs_first_factor" | "needs_second_factor" | "complete";

export type TokenService = "clerk" | "firebase" | "hasura";

export type TokenInspection = { 
/**
 * The encoded token.
 */
jwt: string, 
/**
 * The decoded header.
 */
header: JsonValue, 
/**
 * The decoded claims.
 */
claims: JsonValue, 
/**
 * When it expires (Unix ms), from `exp`.
 */
expires_at: number | null, 
/**
 * Whether it verifies against the instance's JWKS.
 */
signature: SignatureCheck, };

export type SignatureCheck = { "status": "valid" } | { "status": "expired" } | { "status": "unknown_key" } | { "status": "invalid", 
/**
 * Why.
 */
reason: string, };

export type AvatarPreview = { 
/**
 * The pending picture, for `avatar_upload` and `avatar_discard`.
 */
id: string, 
/**
 * The whole picture, upright, scaled to fit in 1024 × 1024: a `data:image/jpeg;base64,…`
 * URL (PNG when it has transparency).
 */
data_url: string, 
/**
 * The upright picture's own width: crops are measured in its pixels.
 */
width: number, 
/**
 * The upright picture's own height.
 */
height: number, 
/**
 * "JPEG", "PNG", "WebP", "GIF" or "BMP"; "Pasted" for pixels from the clipboard.
 */
format: string, 
/**
 * The file's size in bytes; `None` for a pasted picture, which is pixels, not a file.
 */
byte_length: number | null, };

export type AvatarCrop = { x: number, y: number, width: number, height: number, };

export type AvatarDropEvent = { "kind": "enter", files: number, } | { "kind": "leave" } | { "kind": "processing" } | { "kind": "ready", preview: AvatarPreview, } | { "kind": "failed", error: CommandError, };

export type AvatarUploadProgress = { preview_id: string, 
/**
 * Bytes of the request sent so far.
 */
sent: number, 
/**
 * Bytes of the whole request.
 */
total: number, };

export type AuthenticatorKind = "security_key" | "platform";

export type PasskeyPrompt = { "step": "insert_key" } | { "step": "touch" } | { "step": "pin", attempts_left: number | null, } | { "step": "processing" };

export type CommandError = { code: ErrorCode, message: string, field: string | null, 
/**
 * For `reverification_required`: what the instance asks the person to prove.
 */
reverification?: ReverificationLevel, };

export type ErrorCode = "network" | "timeout" | "signed_out" | "form_code_incorrect" | "verification_failed" | "verification_expired" | "too_many_requests" | "resource_not_found" | "upload_cancelled" | "reverification_required" | "reverification_cancelled" | "no_authenticator" | "pin_incorrect" | "authenticator_locked" | "authenticator_unsupported" | "passkey_cancelled" | "passkey_wrong_relying_party" | "passkey_malformed" | "internal" | "other";

export type OfflineView = { 
/**
 * When the user was last read from the instance (Unix ms).
 */
saved_at: number, user: User, 
/**
 * The devices when they were last listed, if they were.
 */
devices: Devices | null, };

export type SecurityEvent = { 
/**
 * When the app saw it (Unix ms).
 */
at: number, kind: SecurityEventKind, 
/**
 * What it concerns, for the person: the device, or the provider and address.
 */
detail: string, };

export type SecurityEventKind = "sign_in_seen" | "device_signed_out" | "two_step_turned_on" | "two_step_turned_off" | "password_changed" | "password_added" | "password_removed" | "connected_account_added" | "connected_account_removed" | "connected_account_failed";

export type NoticeSection = "devices" | "connected" | "tokens";

export type AccountSummary = { 
/**
 * The account's id in this app (not the user's id on the instance).
 */
id: string, instance_kind: InstanceKind, 
/**
 * "Embedded account server", or the instance's host.
 */
instance_label: string, 
/**
 * Who is signed in; `None` while the account is being added, or once it was signed out.
 */
person: AccountPerson | null, 
/**
 * The one the window shows.
 */
active: boolean, 
/**
 * Its session ended elsewhere (revoked, expired): it needs signing in again.
 */
signed_out: boolean, };

export type AccountPerson = { 
/**
 * "Ada Lovelace", else the primary address, else the username.
 */
name: string, email: string | null, 
/**
 * The profile picture; `None` for the default avatar.
 */
image_url: string | null, };

export type AccountsChanged = { 
/**
 * What to tell the person, if anything.
 */
message: string | null, };

/** The name of every event the app sends. */
export const EVENTS = {
  OAUTH_FINISHED: "oauth-finished",
  AVATAR_DROP: "avatar-drop",
  AVATAR_UPLOAD_PROGRESS: "avatar-upload-progress",
  PASSKEY_PROMPT: "passkey-prompt",
  ACCOUNTS_CHANGED: "accounts-changed",
} as const;

/** What each event carries. */
export type EventPayloads = {
  "oauth-finished": OAuthFinished,
  "avatar-drop": AvatarDropEvent,
  "avatar-upload-progress": AvatarUploadProgress,
  "passkey-prompt": PasskeyPrompt,
  "accounts-changed": AccountsChanged,
};
