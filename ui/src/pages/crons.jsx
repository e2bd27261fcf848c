// CronWorkflows: schedule, state, last run, their runs; suspend and resume.
import { useState } from "preact/hooks";
import { api } from "../api.js";
import { time } from "../format.jsx";
import { Link, queryString } from "../router.jsx";
import { NamespacePicker, Source, useLoaded, useNamespace } from "./objects.jsx";

const CRON_LABEL = "workflows.argoproj.io/cron-workflow";

export function CronPage() {
  const [ns, setNs] = useNamespace();
  const [state, reload] = useLoaded(() => api.list("cron-workflows", ns), [ns]);
  const [notice, setNotice] = useState("");
  const toggle = async (cron) => {
    const verb = cron.spec?.suspend ? "resume" : "suspend";
    try {
      await api.actOn("cron-workflows", ns, cron.metadata.name, verb);
      setNotice(`${cron.metadata.name}: ${verb}d`);
      reload();
    } catch (e) {
      setNotice(`${cron.metadata.name}: ${e.message}`);
    }
  };
  return (
    <section aria-labelledby="cron-title">
      <h1 id="cron-title">Cron workflows</h1>
      <NamespacePicker ns={ns} setNs={setNs} />
      <p role="status" class="notice">
        {notice}
      </p>
      {state.error && (
        <p role="alert" class="error">
          {state.error}
        </p>
      )}
      {state.items && state.items.length === 0 && <p class="muted">No cron workflows in {ns}.</p>}
      {state.items && state.items.length > 0 && (
        <table class="objects" data-testid="cron-table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Schedule</th>
              <th scope="col">Time zone</th>
              <th scope="col">Concurrency</th>
              <th scope="col">State</th>
              <th scope="col">Last scheduled</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {state.items.map((cron) => {
              const spec = cron.spec || {};
              const schedules = spec.schedules || (spec.schedule ? [spec.schedule] : []);
              const runs = `/${queryString([["ns", ns], ["label", `${CRON_LABEL}=${cron.metadata.name}`]])}`;
              return (
                <tr key={cron.metadata.name} data-testid="cron-row">
                  <th scope="row">
                    {cron.metadata.name}
                    <Source object={cron} />
                  </th>
                  <td>
                    {schedules.map((s) => (
                      <code key={s} class="tag">
                        {s}
                      </code>
                    ))}
                  </td>
                  <td>{spec.timezone || "—"}</td>
                  <td>{spec.concurrencyPolicy || "Allow"}</td>
                  <td data-testid="cron-state">{spec.suspend ? "suspended" : "active"}</td>
                  <td>{time(cron.status?.lastScheduledTime)}</td>
                  <td>
                    <Link href={runs}>Runs</Link>{" "}
                    <button type="button" onClick={() => toggle(cron)}>
                      {spec.suspend ? "Resume" : "Suspend"}
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
