// Shared pieces of the templates and cron pages: the namespace picker and the YAML-ish view.
import { useEffect, useState } from "preact/hooks";
import { navigate, useLocation } from "../router.jsx";

export function useNamespace() {
  const { path, query } = useLocation();
  const ns = query.get("ns") || "default";
  const setNs = (value) => navigate(`${path}?ns=${encodeURIComponent(value)}`);
  return [ns, setNs];
}

export function NamespacePicker({ ns, setNs }) {
  const [draft, setDraft] = useState(ns);
  useEffect(() => setDraft(ns), [ns]);
  return (
    <form
      class="filters inline"
      onSubmit={(e) => {
        e.preventDefault();
        setNs(draft);
      }}
    >
      <label>
        Namespace
        <input value={draft} onInput={(e) => setDraft(e.currentTarget.value)} data-testid="namespace" />
      </label>
      <button type="submit">Show</button>
    </form>
  );
}

export function useLoaded(load, deps) {
  const [state, setState] = useState({ items: null, error: "" });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    load().then(
      (data) => live && setState({ items: data.items || [], error: "" }),
      (e) => live && setState({ items: [], error: e.message }),
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  return [state, () => setTick((t) => t + 1)];
}

export function Source({ object }) {
  return (
    <details>
      <summary>spec</summary>
      <pre class="source">{JSON.stringify(object.spec, null, 2)}</pre>
    </details>
  );
}
