// Sign-in: e-mail and password, then — when the server answers second_factor_required —
// a code from the authenticator app or a recovery code, sent with the same e-mail and
// password (the API keeps no half-signed-in state). The password stays in this
// component's memory only between the two steps.
import { useLayoutEffect, useRef, useState } from "preact/hooks";
import { ApiError, signIn, type Me, type SecondFactor } from "../api";
import { ErrorMessage, PageTitle } from "../components";
import { useMessages, type Messages } from "../i18n";

type Step = "password" | "totp" | "recovery";

function wordsFor(t: Messages, e: unknown, step: Step): string {
  if (!(e instanceof ApiError)) return t.errors.unexpected_answer;
  // One code for every refused factor; the words fit what was typed (as the server's do).
  if (e.code === "invalid_second_factor" && step === "recovery") return t.invalidRecoveryCode;
  return t.errors[e.code];
}

export function SignIn(props: { onSignedIn: (me: Me) => void; notice: string | null }) {
  const { t } = useMessages();
  const [step, setStep] = useState<Step>("password");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [code, setCode] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const codeInput = useRef<HTMLInputElement>(null);
  const passwordInput = useRef<HTMLInputElement>(null);

  // Focus moves to the code field as soon as it appears (before the next key press).
  useLayoutEffect(() => {
    if (step !== "password") codeInput.current?.focus();
  }, [step]);

  async function submit(event: Event) {
    event.preventDefault();
    if (busy) return;
    const missing = step === "password" ? email.trim() === "" || password === "" : code.trim() === "";
    if (missing) {
      setError(t.errors.missing_field);
      return;
    }
    setBusy(true);
    setError(null);
    let factor: SecondFactor | undefined;
    if (step === "totp") factor = { totp_code: code.replace(/\s+/g, "") };
    else if (step === "recovery") factor = { recovery_code: code.trim() };
    try {
      const me = await signIn(email.trim(), password, factor);
      setPassword("");
      setCode("");
      props.onSignedIn(me);
    } catch (e: unknown) {
      setBusy(false);
      if (e instanceof ApiError && e.code === "second_factor_required" && step === "password") {
        setStep("totp");
        return;
      }
      setError(wordsFor(t, e, step));
      if (step === "password") passwordInput.current?.focus();
      else codeInput.current?.focus();
    }
  }

  function switchFactor() {
    setCode("");
    setError(null);
    setStep(step === "totp" ? "recovery" : "totp");
  }

  function startOver() {
    setStep("password");
    setPassword("");
    setCode("");
    setError(null);
  }

  const describedBy = error !== null ? "sign-in-error" : undefined;

  if (step === "password") {
    return (
      <section class="card" aria-labelledby="page-title">
        <PageTitle>{t.signInTitle}</PageTitle>
        {props.notice !== null && (
          <p class="notice notice-info" role="status">
            {props.notice}
          </p>
        )}
        <p>{t.signInIntro}</p>
        <form class="form" onSubmit={submit} aria-busy={busy} noValidate>
          <ErrorMessage id="sign-in-error" text={error} />
          <div class="field">
            <label for="email">{t.email}</label>
            <input
              id="email"
              name="email"
              type="email"
              autocomplete="username"
              inputMode="email"
              autocapitalize="none"
              spellcheck={false}
              required
              value={email}
              onInput={(e) => setEmail(e.currentTarget.value)}
              aria-describedby={describedBy}
            />
          </div>
          <div class="field">
            <label for="password">{t.password}</label>
            <input
              id="password"
              ref={passwordInput}
              name="password"
              type="password"
              autocomplete="current-password"
              required
              value={password}
              onInput={(e) => setPassword(e.currentTarget.value)}
              aria-describedby={describedBy}
            />
          </div>
          <button type="submit" class="button button-primary">
            {busy ? t.signingIn : t.signInButton}
          </button>
        </form>
        <p class="hint">{t.noAccount}</p>
      </section>
    );
  }

  const totp = step === "totp";
  return (
    <section class="card" aria-labelledby="page-title">
      <PageTitle>{t.secondFactorTitle}</PageTitle>
      <p id="factor-intro">{totp ? t.totpIntro : t.recoveryIntro}</p>
      <form class="form" onSubmit={submit} aria-busy={busy} noValidate>
        <ErrorMessage id="sign-in-error" text={error} />
        <div class="field">
          <label for="code">{totp ? t.totpCode : t.recoveryCode}</label>
          <input
            id="code"
            ref={codeInput}
            name={totp ? "totp_code" : "recovery_code"}
            type="text"
            class={totp ? "input-code" : "input-recovery"}
            autocomplete="one-time-code"
            inputMode={totp ? "numeric" : "text"}
            pattern={totp ? "[0-9 ]*" : undefined}
            maxLength={totp ? 8 : 40}
            autocapitalize="characters"
            spellcheck={false}
            required
            value={code}
            onInput={(e) => setCode(e.currentTarget.value)}
            aria-describedby={error !== null ? "sign-in-error factor-intro" : "factor-intro"}
          />
        </div>
        <button type="submit" class="button button-primary">
          {busy ? t.verifying : t.verifyButton}
        </button>
      </form>
      <div class="actions">
        <button type="button" class="button button-link" onClick={switchFactor}>
          {totp ? t.useRecoveryCode : t.useTotpCode}
        </button>
        <button type="button" class="button button-link" onClick={startOver}>
          {t.startOver}
        </button>
      </div>
    </section>
  );
}
