// The language: the one chosen before (localStorage), else the first of the browser's
// languages (navigator.languages, what it sends as Accept-Language) that the app has, else
// French. Components read it with useMessages() and re-render when it changes.
import { createContext } from "preact";
import { useContext } from "preact/hooks";
import { en } from "./en";
import { fr, type Messages } from "./fr";

export type Lang = "fr" | "en";
export type { Messages };

export const catalogues: Record<Lang, Messages> = { fr, en };

const langKey = "hippocrate.lang";

function isLang(v: unknown): v is Lang {
  return v === "fr" || v === "en";
}

export function initialLang(): Lang {
  try {
    const saved = window.localStorage.getItem(langKey);
    if (isLang(saved)) return saved;
  } catch {
    // no storage: fall through to the browser's languages
  }
  const wanted = navigator.languages.length > 0 ? navigator.languages : [navigator.language];
  for (const tag of wanted) {
    const primary = tag.toLowerCase().split("-")[0];
    if (isLang(primary)) return primary;
  }
  return "fr";
}

export function rememberLang(lang: Lang): void {
  try {
    window.localStorage.setItem(langKey, lang);
  } catch {
    // not remembered; the choice holds for this page
  }
}

export interface LangState {
  lang: Lang;
  t: Messages;
  setLang: (lang: Lang) => void;
}

export const LangContext = createContext<LangState>({ lang: "fr", t: fr, setLang: () => {} });

export function useMessages(): LangState {
  return useContext(LangContext);
}
