// The HTTP API as the app uses it (docs/api.md): same-origin fetches only, the session in
// the server's `__Host-hippocrate_session` cookie (HttpOnly: this code never sees it), and
// the CSRF token of the sign-in answer sent as `X-CSRF-Token` on every request that is not
// a GET.

/** The error codes the sign-in, "who am I" and sign-out requests can answer (src/auth,
 * src/server/session_guard.cc, json_body.cc, connection.cc), plus two of the app's own:
 * `network_error` (no answer) and `unexpected_answer` (not the JSON the API sends). Each
 * has plain words in both catalogues (i18n/fr.ts, en.ts): a code missing there fails the
 * TypeScript build. */
export const apiErrorCodes = [
  // POST /api/v1/sessions
  "invalid_credentials",
  "second_factor_required",
  "invalid_second_factor",
  "too_many_attempts",
  "rate_limited",
  // a body the server refuses (the app does not send these; a bug or a proxy might)
  "missing_field",
  "invalid_field",
  "malformed_json",
  "duplicate_field",
  "unknown_field",
  "unsupported_media_type",
  "payload_too_large",
  "malformed_request",
  "invalid_framing",
  "invalid_host",
  "headers_too_large",
  // a session that is no longer good (GET /api/v1/me, DELETE /api/v1/sessions/current)
  "unauthenticated",
  "invalid_token",
  "session_expired",
  "csrf_token_invalid",
  "origin_not_allowed",
  "permission_denied",
  "second_factor_enrolment_required",
  // the server itself
  "not_found",
  "method_not_allowed",
  "internal_error",
  "database_unavailable",
  // the app's own
  "network_error",
  "unexpected_answer",
] as const;

export type ApiErrorCode = (typeof apiErrorCodes)[number];

function isKnownCode(code: string): code is ApiErrorCode {
  return (apiErrorCodes as readonly string[]).includes(code);
}

export class ApiError extends Error {
  readonly status: number;
  /** The server's code, or `unexpected_answer` for one the app has no words for. */
  readonly code: ApiErrorCode;
  /** The code as the server sent it (kept for the console of a developer, never shown). */
  readonly rawCode: string;

  constructor(status: number, rawCode: string) {
    super(rawCode);
    this.name = "ApiError";
    this.status = status;
    this.rawCode = rawCode;
    this.code = isKnownCode(rawCode) ? rawCode : "unexpected_answer";
  }
}

export type Role = "admin" | "practitioner" | "assistant" | "patient" | "auditor";

export interface Account {
  id: string;
  email: string;
  display_name: string;
  role: Role;
  organisation: { id: string; name: string };
  second_factor: boolean;
}

export interface Session {
  id: string;
  second_factor_verified: boolean;
  enrolment_only: boolean;
  step_up_until: number;
  idle_expires_at: number;
  absolute_expires_at: number;
}

export interface Me {
  account: Account;
  session: Session;
}

export type SecondFactor = { totp_code: string } | { recovery_code: string };

// The CSRF token is an HMAC of the session id (docs/authentication.md): useless without
// the HttpOnly cookie, and useless once the session ends. GET /api/v1/me does not return
// it, so it is kept in localStorage — every tab of the origin can then sign out — and
// removed at sign-out or as soon as the server says the session is over. Its presence also
// tells the app, at start, that asking GET /api/v1/me is worth it.
const csrfKey = "hippocrate.csrf";

function storedCsrf(): string | null {
  try {
    return window.localStorage.getItem(csrfKey);
  } catch {
    return null;
  }
}

function storeCsrf(token: string | null): void {
  try {
    if (token === null) window.localStorage.removeItem(csrfKey);
    else window.localStorage.setItem(csrfKey, token);
  } catch {
    // Storage refused (private mode, quota): the session works until the tab is reloaded.
  }
}

let csrfToken: string | null = storedCsrf();

export function maySignedIn(): boolean {
  return csrfToken !== null;
}

const sessionOverCodes: ReadonlySet<string> = new Set([
  "unauthenticated",
  "invalid_token",
  "session_expired",
]);

async function request<T>(method: "GET" | "POST" | "DELETE", path: string, body?: object): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET" && csrfToken !== null) headers["X-CSRF-Token"] = csrfToken;
  const init: RequestInit = {
    method,
    headers,
    credentials: "same-origin",
    mode: "same-origin",
    cache: "no-store",
    redirect: "error",
  };
  if (body !== undefined) init.body = JSON.stringify(body);
  let response: Response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new ApiError(0, "network_error");
  }
  if (response.status === 204) return undefined as T;
  let parsed: unknown;
  try {
    parsed = await response.json();
  } catch {
    throw new ApiError(response.status, "unexpected_answer");
  }
  if (!response.ok) {
    const code = errorCodeOf(parsed);
    if (sessionOverCodes.has(code)) storeCsrf((csrfToken = null));
    throw new ApiError(response.status, code);
  }
  return parsed as T;
}

function errorCodeOf(body: unknown): string {
  if (typeof body === "object" && body !== null && "error" in body) {
    const error: unknown = body.error;
    if (typeof error === "object" && error !== null && "code" in error && typeof error.code === "string") {
      return error.code;
    }
  }
  return "unexpected_answer";
}

interface LoginAnswer {
  csrf_token: string;
  account: Account;
  session: Session;
}

/** POST /api/v1/sessions. Throws ApiError("second_factor_required") when the password is
 * right and a code must follow: call again with the factor. */
export async function signIn(email: string, password: string, factor?: SecondFactor): Promise<Me> {
  // The answer's `token` (for bearer clients) is not kept: the browser uses the cookie.
  const answer = await request<LoginAnswer>("POST", "/api/v1/sessions", { email, password, ...factor });
  csrfToken = answer.csrf_token;
  storeCsrf(csrfToken);
  return { account: answer.account, session: answer.session };
}

export function fetchMe(): Promise<Me> {
  return request<Me>("GET", "/api/v1/me");
}

/** DELETE /api/v1/sessions/current; the local token is forgotten whatever the answer. */
export async function signOut(): Promise<void> {
  try {
    await request<void>("DELETE", "/api/v1/sessions/current");
  } finally {
    storeCsrf((csrfToken = null));
  }
}
