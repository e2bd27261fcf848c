// A node's details: inputs, outputs, timing, message (and where a reused step came from),
// its log, and what can be done with it (resume a suspended node, re-run from here).
import { useEffect, useState } from "preact/hooks";
import { streamLog } from "../api.js";
import { Phase, duration, reusedFrom, time } from "../format.jsx";
import { Link } from "../router.jsx";

function Parameters({ title, parameters }) {
  if (!parameters?.length) return null;
  return (
    <>
      <h4>{title}</h4>
      <dl class="kv" data-testid={`${title.toLowerCase().replace(" ", "-")}`}>
        {parameters.map((p) => (
          <div key={p.name}>
            <dt>{p.name}</dt>
            <dd>
              <code>{p.value ?? p.default ?? ""}</code>
            </dd>
          </div>
        ))}
      </dl>
    </>
  );
}

function Artifacts({ title, artifacts }) {
  if (!artifacts?.length) return null;
  return (
    <>
      <h4>{title}</h4>
      <ul class="artifacts">
        {artifacts.map((a) => {
          const where = a.s3?.key || a.gcs?.key || a.key || a.path || "";
          return (
            <li key={a.name}>
              <strong>{a.name}</strong> <code>{where}</code>
            </li>
          );
        })}
      </ul>
    </>
  );
}

function Log({ namespace, workflow, node }) {
  const [lines, setLines] = useState([]);
  const [error, setError] = useState("");
  const running = node.phase === "Running" || node.phase === "Pending";
  useEffect(() => {
    setLines([]);
    setError("");
    const collected = [];
    let timer = null;
    const flush = () => ((timer = null), setLines([...collected]));
    return streamLog(
      namespace,
      workflow,
      node.id,
      running,
      (line) => {
        collected.push(line);
        if (!timer) timer = setTimeout(flush, 50);
      },
      (e) => setError(e.message),
    );
  }, [node.id, running]);
  return (
    <>
      <h4>Log</h4>
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : (
        <pre class="log" data-testid="node-log" aria-label={`log of ${node.displayName}`} tabIndex={0}>
          {lines.length ? lines.join("\n") : running ? "(waiting for output…)" : "(no output)"}
        </pre>
      )}
    </>
  );
}

export function NodeDetails({ namespace, workflow, node, onResume, onRerun, busy }) {
  const reused = reusedFrom(node.message);
  const phase = node.phase || "Pending";
  const suspended = node.type === "Suspend" && phase === "Running";
  const outputs = node.outputs || {};
  return (
    <aside class="details" aria-labelledby="node-title" data-testid="node-details">
      <h3 id="node-title">
        {node.displayName} <Phase phase={phase} />
      </h3>
      <div class="actions">
        {suspended && (
          <button type="button" class="primary" disabled={busy} onClick={() => onResume(node)} data-testid="resume-node">
            Resume this node
          </button>
        )}
        <button type="button" disabled={busy} onClick={() => onRerun(node)} data-testid="rerun-from-node">
          Re-run from here…
        </button>
      </div>
      {reused && (
        <p class="reused" data-testid="reused-from">
          ↺ reused from{" "}
          <Link href={`/workflows/${encodeURIComponent(namespace)}/${encodeURIComponent(reused.run)}`}>
            {reused.run}
          </Link>{" "}
          (node <code>{reused.node}</code>)
        </p>
      )}
      <dl class="kv">
        <div>
          <dt>Type</dt>
          <dd>{node.type}</dd>
        </div>
        <div>
          <dt>Name</dt>
          <dd>
            <code>{node.name}</code>
          </dd>
        </div>
        <div>
          <dt>ID</dt>
          <dd>
            <code>{node.id}</code>
          </dd>
        </div>
        {node.templateName && (
          <div>
            <dt>Template</dt>
            <dd>{node.templateName}</dd>
          </div>
        )}
        <div>
          <dt>Started</dt>
          <dd>{time(node.startedAt)}</dd>
        </div>
        <div>
          <dt>Finished</dt>
          <dd>{time(node.finishedAt)}</dd>
        </div>
        <div>
          <dt>Duration</dt>
          <dd data-testid="node-duration">{duration(node.startedAt, node.finishedAt)}</dd>
        </div>
        {node.message && (
          <div>
            <dt>Message</dt>
            <dd data-testid="node-message">{node.message}</dd>
          </div>
        )}
        {outputs.exitCode != null && (
          <div>
            <dt>Exit code</dt>
            <dd>{outputs.exitCode}</dd>
          </div>
        )}
      </dl>
      <Parameters title="Inputs" parameters={node.inputs?.parameters} />
      <Artifacts title="Input artifacts" artifacts={node.inputs?.artifacts} />
      <Parameters title="Outputs" parameters={outputs.parameters} />
      {outputs.result != null && (
        <>
          <h4>Result</h4>
          <pre class="result">{outputs.result}</pre>
        </>
      )}
      <Artifacts title="Output artifacts" artifacts={outputs.artifacts} />
      {node.type === "Pod" && <Log namespace={namespace} workflow={workflow} node={node} />}
    </aside>
  );
}
