// A tiny client-side router: the URL (path and query) is the UI's state, so every view
// can be bookmarked, shared and reloaded.
import { useEffect, useState } from "preact/hooks";

const EVENT = "kawa:navigate";

function current() {
  return { path: location.pathname, query: new URLSearchParams(location.search) };
}

export function navigate(url, { replace = false } = {}) {
  if (url === location.pathname + location.search) return;
  history[replace ? "replaceState" : "pushState"](null, "", url);
  window.dispatchEvent(new Event(EVENT));
}

export function useLocation() {
  const [where, setWhere] = useState(current);
  useEffect(() => {
    const changed = () => setWhere(current());
    window.addEventListener("popstate", changed);
    window.addEventListener(EVENT, changed);
    return () => {
      window.removeEventListener("popstate", changed);
      window.removeEventListener(EVENT, changed);
    };
  }, []);
  return where;
}

export function Link({ href, children, ...rest }) {
  const click = (event) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
    event.preventDefault();
    navigate(href);
  };
  return (
    <a href={href} onClick={click} {...rest}>
      {children}
    </a>
  );
}

/** A query string from a list of [name, value] pairs, leaving out empty values. */
export function queryString(pairs) {
  const query = new URLSearchParams();
  for (const [name, value] of pairs) if (value !== "" && value != null) query.append(name, value);
  const text = query.toString();
  return text ? `?${text}` : "";
}
