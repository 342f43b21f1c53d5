import type { ComponentChildren } from "preact";
import { useLayoutEffect, useRef } from "preact/hooks";
import { onLinkClick } from "./router";

export function Link(props: { to: string; class?: string; children: ComponentChildren }) {
  return (
    <a href={props.to} class={props.class} onClick={(e) => onLinkClick(e, props.to)}>
      {props.children}
    </a>
  );
}

/** A page's heading, focused when the page appears so that a screen reader announces it
 * and the next Tab starts from the top of the new page. */
export function PageTitle(props: { children: ComponentChildren }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useLayoutEffect(() => {
    ref.current?.focus({ preventScroll: false });
  }, []);
  return (
    <h1 ref={ref} tabIndex={-1} class="page-title">
      {props.children}
    </h1>
  );
}

/** An error in words; role=alert so that it is read out as soon as it appears. */
export function ErrorMessage(props: { id: string; text: string | null }) {
  if (props.text === null) return null;
  return (
    <div id={props.id} class="notice notice-error" role="alert">
      {props.text}
    </div>
  );
}
