import { useState } from "preact/hooks";
import { ApiError, signOut, type Me } from "../api";
import { ErrorMessage, PageTitle } from "../components";
import { useMessages } from "../i18n";

export function Home(props: { me: Me; onSignedOut: () => void }) {
  const { t } = useMessages();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const { account, session } = props.me;

  async function doSignOut() {
    setBusy(true);
    setError(null);
    try {
      await signOut();
      props.onSignedOut();
    } catch (e: unknown) {
      // Whatever the server said, a session it no longer knows is signed out.
      if (e instanceof ApiError && (e.status === 401 || e.code === "csrf_token_invalid")) {
        props.onSignedOut();
        return;
      }
      setError(e instanceof ApiError ? t.errors[e.code] : t.errors.unexpected_answer);
      setBusy(false);
    }
  }

  return (
    <section class="card" aria-labelledby="page-title">
      <PageTitle>{t.homeTitle(account.display_name)}</PageTitle>
      <p>{t.homeIntro}</p>
      {session.enrolment_only && <p class="notice notice-info">{t.enrolmentNeeded}</p>}
      <h2>{t.yourAccount}</h2>
      <dl class="facts" data-testid="account">
        <div>
          <dt>{t.nameLabel}</dt>
          <dd data-testid="account-name">{account.display_name}</dd>
        </div>
        <div>
          <dt>{t.emailLabel}</dt>
          <dd>{account.email}</dd>
        </div>
        <div>
          <dt>{t.roleLabel}</dt>
          <dd>{t.roles[account.role]}</dd>
        </div>
        <div>
          <dt>{t.organisationLabel}</dt>
          <dd>{account.organisation.name}</dd>
        </div>
        <div>
          <dt>{t.secondFactorLabel}</dt>
          <dd>{account.second_factor ? t.secondFactorOn : t.secondFactorOff}</dd>
        </div>
      </dl>
      <ErrorMessage id="sign-out-error" text={error} />
      <button type="button" class="button button-secondary" onClick={doSignOut} disabled={busy}>
        {busy ? t.signingOut : t.signOutButton}
      </button>
    </section>
  );
}
