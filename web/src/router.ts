// A tiny router over the History API: real paths (/sign-in, not #/sign-in), which the
// server answers with index.html (SPA routes). navigate() pushes a path and tells the
// listeners; the browser's back and forward buttons come through popstate.
import { useEffect, useState } from "preact/hooks";

type Listener = (path: string) => void;
const listeners = new Set<Listener>();

function tell(): void {
  const path = window.location.pathname;
  for (const l of listeners) l(path);
}

window.addEventListener("popstate", tell);

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === window.location.pathname) return;
  if (options.replace === true) window.history.replaceState(null, "", to);
  else window.history.pushState(null, "", to);
  tell();
}

export function usePath(): string {
  const [path, setPath] = useState(window.location.pathname);
  useEffect(() => {
    listeners.add(setPath);
    return () => {
      listeners.delete(setPath);
    };
  }, []);
  return path;
}

/** A click on an internal link that the router handles (not one opened in a new tab). */
export function onLinkClick(event: MouseEvent, to: string): void {
  if (event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  navigate(to);
}
