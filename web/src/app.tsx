// The app: the language, who is signed in, and which page the path shows.
//   /          home (signed in) — else the sign-in page
//   /sign-in   sign-in — else, when signed in, home
//   anything else: the not-found page
import { useEffect, useMemo, useState } from "preact/hooks";
import { ApiError, fetchMe, maySignedIn, type Me } from "./api";
import { catalogues, initialLang, LangContext, rememberLang, type Lang, type LangState } from "./i18n";
import { Home } from "./pages/Home";
import { NotFound } from "./pages/NotFound";
import { SignIn } from "./pages/SignIn";
import { navigate, usePath } from "./router";

type Who = { state: "unknown" } | { state: "signed-out"; notice: string | null } | { state: "signed-in"; me: Me };

export function App() {
  const [lang, setLangState] = useState<Lang>(initialLang);
  const [who, setWho] = useState<Who>(maySignedIn() ? { state: "unknown" } : { state: "signed-out", notice: null });
  const path = usePath();
  const t = catalogues[lang];

  const langState: LangState = useMemo(
    () => ({
      lang,
      t,
      setLang: (l: Lang) => {
        rememberLang(l);
        document.documentElement.lang = l;
        setLangState(l);
      },
    }),
    [lang, t],
  );

  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);

  // At start, with a CSRF token kept from a sign-in: is that session still good?
  useEffect(() => {
    if (who.state !== "unknown") return;
    fetchMe().then(
      (me) => setWho({ state: "signed-in", me }),
      (e: unknown) => {
        const over = e instanceof ApiError && e.status === 401;
        setWho({ state: "signed-out", notice: over ? "session_over" : null });
      },
    );
  }, []);

  const page = (() => {
    if (path !== "/" && path !== "/sign-in") return { title: t.notFoundTitle, node: <NotFound /> };
    if (who.state === "unknown") return { title: t.loading, node: <p class="loading">{t.loading}</p> };
    if (who.state === "signed-in") {
      return {
        title: t.homeTitle(who.me.account.display_name),
        node: (
          <Home
            me={who.me}
            onSignedOut={() => {
              navigate("/sign-in", { replace: true });
              setWho({ state: "signed-out", notice: "signed_out" });
            }}
          />
        ),
      };
    }
    const notice = who.notice === "signed_out" ? t.signedOut : who.notice === "session_over" ? t.errors.session_expired : null;
    return {
      title: t.signInTitle,
      node: (
        <SignIn
          notice={notice}
          onSignedIn={(me) => {
            navigate("/", { replace: true });
            setWho({ state: "signed-in", me });
          }}
        />
      ),
    };
  })();

  // The address follows the state: signed in → "/", signed out → "/sign-in" (at start,
  // and when a session ends underneath; sign-in and sign-out navigate themselves).
  useEffect(() => {
    if (who.state === "signed-in" && path === "/sign-in") navigate("/", { replace: true });
    if (who.state === "signed-out" && path === "/") navigate("/sign-in", { replace: true });
  }, [who.state, path]);

  useEffect(() => {
    document.title = `${page.title} — ${t.appName}`;
  }, [page.title, t.appName]);

  const other: Lang = lang === "fr" ? "en" : "fr";
  return (
    <LangContext.Provider value={langState}>
      <a class="skip-link" href="#main">
        {t.skipToContent}
      </a>
      <header class="topbar">
        <span class="brand">{t.appName}</span>
        <button
          type="button"
          class="button button-lang"
          lang={other}
          aria-label={t.switchToLabel}
          onClick={() => langState.setLang(other)}
        >
          {t.switchTo}
        </button>
      </header>
      <main id="main" key={`${path}:${who.state}`}>
        {page.node}
      </main>
    </LangContext.Provider>
  );
}
