// "Re-run from here": the workflow's parameters, pre-filled, to edit before kawa's rerun
// (POST /api/kawa/v1/workflows/{ns}/{name}/rerun); the new run opens when it is created.
import { useEffect, useRef, useState } from "preact/hooks";
import { api } from "../api.js";
import { navigate } from "../router.jsx";

export function RerunDialog({ workflow, node, onClose }) {
  const declared = workflow.spec?.arguments?.parameters || [];
  const [values, setValues] = useState(() =>
    Object.fromEntries(declared.map((p) => [p.name, p.value ?? p.default ?? ""])),
  );
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const dialog = useRef(null);
  useEffect(() => {
    dialog.current?.showModal?.();
  }, []);
  const { namespace, name } = workflow.metadata;
  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError("");
    const changed = declared
      .filter((p) => values[p.name] !== (p.value ?? p.default ?? ""))
      .map((p) => `${p.name}=${values[p.name]}`);
    try {
      const created = await api.rerun(namespace, name, node ? [node.name] : [], changed);
      onClose();
      navigate(`/workflows/${encodeURIComponent(namespace)}/${encodeURIComponent(created.metadata.name)}`);
    } catch (e) {
      setError(e.message);
      setBusy(false);
    }
  };
  return (
    <dialog ref={dialog} class="rerun" aria-labelledby="rerun-title" onClose={onClose} data-testid="rerun-dialog">
      <form onSubmit={submit}>
        <h3 id="rerun-title">
          Re-run {name}
          {node ? ` from ${node.displayName}` : ""}
        </h3>
        <p class="muted">
          Steps whose inputs did not change are reused from this run
          {node ? `; ${node.displayName} and everything after it runs again` : ""}.
        </p>
        {declared.length === 0 && <p class="muted">This workflow declares no parameters.</p>}
        {declared.map((p) => (
          <label key={p.name} class="param">
            <span>
              {p.name}
              {p.description && <small class="muted"> — {p.description}</small>}
            </span>
            {p.enum?.length ? (
              <select
                name={p.name}
                value={values[p.name]}
                onChange={(e) => setValues({ ...values, [p.name]: e.currentTarget.value })}
                data-testid={`rerun-param-${p.name}`}
              >
                {p.enum.map((v) => (
                  <option key={v}>{v}</option>
                ))}
              </select>
            ) : (
              <input
                name={p.name}
                value={values[p.name]}
                onInput={(e) => setValues({ ...values, [p.name]: e.currentTarget.value })}
                data-testid={`rerun-param-${p.name}`}
              />
            )}
          </label>
        ))}
        {error && (
          <p role="alert" class="error">
            {error}
          </p>
        )}
        <div class="buttons">
          <button type="submit" class="primary" disabled={busy} data-testid="rerun-submit">
            Re-run
          </button>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </dialog>
  );
}
