// WorkflowTemplates (and ClusterWorkflowTemplates): what they take, their runs, and a form
// to submit one with parameters.
import { useEffect, useRef, useState } from "preact/hooks";
import { api } from "../api.js";
import { time } from "../format.jsx";
import { Link, navigate, queryString } from "../router.jsx";
import { NamespacePicker, Source, useLoaded, useNamespace } from "./objects.jsx";

function SubmitDialog({ ns, template, cluster, onClose }) {
  const declared = template.spec?.arguments?.parameters || [];
  const [values, setValues] = useState(() =>
    Object.fromEntries(declared.map((p) => [p.name, p.value ?? p.default ?? ""])),
  );
  const [error, setError] = useState("");
  const dialog = useRef(null);
  useEffect(() => dialog.current?.showModal?.(), []);
  const name = template.metadata.name;
  const submit = async (e) => {
    e.preventDefault();
    const workflow = {
      metadata: { generateName: `${name}-` },
      spec: {
        workflowTemplateRef: cluster ? { name, clusterScope: true } : { name },
        arguments: { parameters: declared.map((p) => ({ name: p.name, value: values[p.name] })) },
      },
    };
    try {
      const created = await api.createWorkflow(ns, workflow);
      onClose();
      navigate(`/workflows/${encodeURIComponent(ns)}/${encodeURIComponent(created.metadata.name)}`);
    } catch (err) {
      setError(err.message);
    }
  };
  return (
    <dialog ref={dialog} class="rerun" aria-labelledby="submit-title" onClose={onClose}>
      <form onSubmit={submit}>
        <h3 id="submit-title">Submit {name}</h3>
        {declared.map((p) => (
          <label key={p.name} class="param">
            <span>{p.name}</span>
            <input
              value={values[p.name]}
              onInput={(e) => setValues({ ...values, [p.name]: e.currentTarget.value })}
            />
          </label>
        ))}
        {error && (
          <p role="alert" class="error">
            {error}
          </p>
        )}
        <div class="buttons">
          <button type="submit" class="primary">
            Submit
          </button>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </dialog>
  );
}

function TemplateTable({ title, items, ns, cluster, onSubmit }) {
  if (!items.length) return <p class="muted">No {title}.</p>;
  return (
    <table class="objects" data-testid={cluster ? "cluster-template-table" : "template-table"}>
      <caption>{title}</caption>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Entrypoint</th>
          <th scope="col">Parameters</th>
          <th scope="col">Created</th>
          <th scope="col">Actions</th>
        </tr>
      </thead>
      <tbody>
        {items.map((t) => {
          const runs = `/${queryString([
            ["ns", ns],
            cluster
              ? ["label", `workflows.argoproj.io/cluster-workflow-template=${t.metadata.name}`]
              : ["template", t.metadata.name],
          ])}`;
          return (
            <tr key={t.metadata.name} data-testid="template-row">
              <th scope="row">
                {t.metadata.name}
                <Source object={t} />
              </th>
              <td>{t.spec?.entrypoint}</td>
              <td>
                {(t.spec?.arguments?.parameters || []).map((p) => (
                  <code key={p.name} class="tag">
                    {p.name}
                    {p.value != null ? `=${p.value}` : ""}
                  </code>
                ))}
              </td>
              <td>{time(t.metadata.creationTimestamp)}</td>
              <td>
                <Link href={runs}>Runs</Link>{" "}
                <button type="button" onClick={() => onSubmit(t, cluster)}>
                  Submit…
                </button>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

export function TemplatesPage() {
  const [ns, setNs] = useNamespace();
  const [templates] = useLoaded(() => api.list("workflow-templates", ns), [ns]);
  const [clusterTemplates] = useLoaded(() => api.list("cluster-workflow-templates"), []);
  const [submitting, setSubmitting] = useState(null);
  const error = templates.error || clusterTemplates.error;
  return (
    <section aria-labelledby="templates-title">
      <h1 id="templates-title">Workflow templates</h1>
      <NamespacePicker ns={ns} setNs={setNs} />
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      {templates.items && (
        <TemplateTable
          title={`WorkflowTemplates in ${ns}`}
          items={templates.items}
          ns={ns}
          onSubmit={(t, cluster) => setSubmitting({ t, cluster })}
        />
      )}
      {clusterTemplates.items && (
        <TemplateTable
          title="ClusterWorkflowTemplates"
          items={clusterTemplates.items}
          ns={ns}
          cluster
          onSubmit={(t, cluster) => setSubmitting({ t, cluster })}
        />
      )}
      {submitting && (
        <SubmitDialog
          ns={ns}
          template={submitting.t}
          cluster={submitting.cluster}
          onClose={() => setSubmitting(null)}
        />
      )}
    </section>
  );
}
