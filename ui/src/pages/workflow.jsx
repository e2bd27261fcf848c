// A workflow's page: summary, actions, the graph, the selected node's details; kept live
// by the server's events for this workflow.
import { useEffect, useState } from "preact/hooks";
import { api, watch } from "../api.js";
import { Phase, duration, time } from "../format.jsx";
import { Link, navigate, queryString, useLocation } from "../router.jsx";
import { NodeDetails } from "./details.jsx";
import { WorkflowGraph } from "./graph.jsx";
import { RerunDialog } from "./rerun.jsx";

const RUNNING = new Set(["Pending", "Running"]);

function Actions({ workflow, busy, act, onRerun }) {
  const phase = workflow.status?.phase || "Pending";
  const running = RUNNING.has(phase);
  const suspended =
    workflow.spec?.suspend ||
    Object.values(workflow.status?.nodes || {}).some((n) => n.type === "Suspend" && n.phase === "Running");
  const button = (verb, label, enabled, extra = {}) => (
    <button
      type="button"
      disabled={busy || !enabled}
      onClick={() => act(verb, {}, extra.confirm)}
      data-testid={`action-${verb}`}
      class={extra.class}
    >
      {label}
    </button>
  );
  return (
    <div class="actions" role="group" aria-label="workflow actions">
      {button("suspend", "Suspend", running && !workflow.spec?.suspend)}
      {button("resume", "Resume", running && suspended, { class: suspended ? "primary" : "" })}
      {button("stop", "Stop", running, { confirm: "Stop this workflow (exit handlers run)?" })}
      {button("terminate", "Terminate", running, { confirm: "Terminate this workflow now?" })}
      {button("retry", "Retry", phase === "Failed" || phase === "Error")}
      <button type="button" disabled={busy} onClick={() => onRerun(null)} data-testid="action-rerun">
        Re-run…
      </button>
    </div>
  );
}

function Summary({ workflow }) {
  const { metadata, status = {}, spec = {} } = workflow;
  const labels = Object.entries(metadata.labels || {});
  const parameters = spec.arguments?.parameters || [];
  const rerunOf = metadata.labels?.["kawa.dev/rerun-of"];
  return (
    <dl class="kv summary">
      <div>
        <dt>Phase</dt>
        <dd>
          <Phase phase={status.phase} />
        </dd>
      </div>
      <div>
        <dt>Started</dt>
        <dd>{time(status.startedAt)}</dd>
      </div>
      <div>
        <dt>Finished</dt>
        <dd>{time(status.finishedAt)}</dd>
      </div>
      <div>
        <dt>Duration</dt>
        <dd>{duration(status.startedAt, status.finishedAt)}</dd>
      </div>
      <div>
        <dt>Progress</dt>
        <dd data-testid="progress">{status.progress}</dd>
      </div>
      {rerunOf && (
        <div>
          <dt>Re-run of</dt>
          <dd>
            <Link href={`/workflows/${encodeURIComponent(metadata.namespace)}/${encodeURIComponent(rerunOf)}`}>
              {rerunOf}
            </Link>
          </dd>
        </div>
      )}
      {status.message && (
        <div class="wide">
          <dt>Message</dt>
          <dd data-testid="workflow-message">{status.message}</dd>
        </div>
      )}
      {parameters.length > 0 && (
        <div class="wide">
          <dt>Parameters</dt>
          <dd data-testid="workflow-parameters">
            {parameters.map((p) => (
              <code key={p.name} class="tag">
                {p.name}={p.value ?? p.default ?? ""}
              </code>
            ))}
          </dd>
        </div>
      )}
      {labels.length > 0 && (
        <div class="wide">
          <dt>Labels</dt>
          <dd>
            {labels.map(([k, v]) => (
              <Link
                key={k}
                class="tag"
                href={`/${queryString([["ns", metadata.namespace], ["label", `${k}=${v}`]])}`}
              >
                {k}={v}
              </Link>
            ))}
          </dd>
        </div>
      )}
    </dl>
  );
}

export function WorkflowPage({ namespace, name }) {
  const { path, query } = useLocation();
  const [workflow, setWorkflow] = useState(null);
  const [error, setError] = useState("");
  const [notice, setNotice] = useState("");
  const [busy, setBusy] = useState(false);
  const [rerunFrom, setRerunFrom] = useState(undefined); // undefined: closed; null: whole run
  const selected = query.get("node") || "";

  useEffect(() => {
    // The events are the one ordered source of this workflow's states; the first GET
    // only fills the page (or says it does not exist) until the first event arrives.
    let live = true;
    let heard = false;
    setWorkflow(null);
    setError("");
    api.getWorkflow(namespace, name).then(
      (data) => live && !heard && setWorkflow(data),
      (e) => live && setError(e.message),
    );
    const stop = watch({ namespace, name }, (data) => {
      if (data.metadata?.name !== name) return;
      heard = true;
      setWorkflow(data);
    });
    return () => {
      live = false;
      stop();
    };
  }, [namespace, name]);

  // running: the durations shown count up
  const [, tick] = useState(0);
  const running = RUNNING.has(workflow?.status?.phase || "Pending");
  useEffect(() => {
    if (!workflow || !running) return undefined;
    const timer = setInterval(() => tick((n) => n + 1), 1000);
    return () => clearInterval(timer);
  }, [running, workflow === null]);

  if (error) {
    return (
      <section>
        <h1>{name}</h1>
        <p role="alert" class="error">
          {error}
        </p>
      </section>
    );
  }
  if (!workflow) return <p class="muted">Loading {name}…</p>;

  const act = async (verb, body = {}, confirmText = "") => {
    if (confirmText && !window.confirm(confirmText)) return;
    setBusy(true);
    setNotice("");
    try {
      await api.act(namespace, name, verb, body); // the change arrives with the events
      setNotice(`${verb}: requested`);
    } catch (e) {
      setNotice(`${verb}: ${e.message}`);
    } finally {
      setBusy(false);
    }
  };
  const select = (id) => navigate(path + queryString([["node", id === selected ? "" : id]]), { replace: true });
  const node = workflow.status?.nodes?.[selected];
  return (
    <section class="workflow" aria-labelledby="workflow-title">
      <p class="crumbs">
        <Link href={`/?ns=${encodeURIComponent(namespace)}`}>Workflows</Link> / {namespace}
      </p>
      <h1 id="workflow-title" data-testid="workflow-name">
        {name}
      </h1>
      <Actions workflow={workflow} busy={busy} act={act} onRerun={setRerunFrom} />
      <p role="status" class="notice" data-testid="notice">
        {notice}
      </p>
      <Summary workflow={workflow} />
      <div class="split">
        <WorkflowGraph workflow={workflow} selected={selected} onSelect={select} />
        {node ? (
          <NodeDetails
            namespace={namespace}
            workflow={name}
            node={node}
            busy={busy}
            onResume={(n) => act("resume", { nodeFieldSelector: `id=${n.id}` })}
            onRerun={setRerunFrom}
          />
        ) : (
          <aside class="details muted">Select a node to see its inputs, outputs and log.</aside>
        )}
      </div>
      {rerunFrom !== undefined && (
        <RerunDialog workflow={workflow} node={rerunFrom} onClose={() => setRerunFrom(undefined)} />
      )}
    </section>
  );
}
