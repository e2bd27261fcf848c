// The workflow list: filters in the URL, server-side paging with the API's continue token,
// live refresh of the first page from the server's events.
import { useEffect, useState } from "preact/hooks";
import { api, watch } from "../api.js";
import { PHASES, Phase, ago, duration, time } from "../format.jsx";
import { Link, navigate, queryString, useLocation } from "../router.jsx";
import { VirtualRows } from "../virtual.jsx";

const ROW = 38;
// the page before each continue token this tab has followed (the API pages forwards only)
const previousOf = new Map();
const SIZES = ["20", "50", "100", "500", "1000"];

export function filtersFrom(query) {
  return {
    ns: query.get("ns") || "default",
    phases: query.getAll("phase").flatMap((p) => p.split(",")).filter(Boolean),
    label: query.get("label") || "",
    name: query.get("name") || "",
    params: query.getAll("param").filter(Boolean),
    template: query.get("template") || "",
    after: query.get("after") || "",
    before: query.get("before") || "",
    limit: query.get("limit") || "50",
    continue: query.get("continue") || "",
  };
}

export function listUrl(f) {
  return `/${queryString([
    ["ns", f.ns],
    ...f.phases.map((p) => ["phase", p]),
    ["label", f.label],
    ["name", f.name],
    ...f.params.map((p) => ["param", p]),
    ["template", f.template],
    ["after", f.after],
    ["before", f.before],
    ["limit", f.limit === "50" ? "" : f.limit],
    ["continue", f.continue],
  ])}`;
}

/** datetime-local <-> ISO 8601 in UTC (the URL keeps the ISO form). */
function toLocalInput(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  return new Date(date.getTime() - date.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
}
function fromLocalInput(value) {
  return value ? new Date(value).toISOString().replace(".000Z", "Z") : "";
}

function Filters({ filters }) {
  const [draft, setDraft] = useState(filters);
  useEffect(() => setDraft({ ...filters, params: filters.params.length ? filters.params : [""] }), [
    listUrl(filters),
  ]);
  const set = (key) => (event) => setDraft({ ...draft, [key]: event.currentTarget.value });
  const apply = (changed) => {
    const next = { ...draft, ...changed, continue: "" };
    next.params = (next.params || []).map((p) => p.trim()).filter(Boolean);
    setDraft({ ...next, params: next.params.length ? next.params : [""] });
    navigate(listUrl(next));
  };
  const togglePhase = (phase) => {
    const phases = draft.phases.includes(phase)
      ? draft.phases.filter((p) => p !== phase)
      : [...draft.phases, phase];
    apply({ phases });
  };
  const setParam = (i, value) => {
    const params = [...draft.params];
    params[i] = value;
    setDraft({ ...draft, params });
  };
  const lastHours = (hours) =>
    apply({ after: new Date(Date.now() - hours * 3600e3).toISOString().slice(0, 19) + "Z", before: "" });
  return (
    <form
      class="filters"
      aria-label="filters"
      onSubmit={(event) => {
        event.preventDefault();
        apply({});
      }}
    >
      <label>
        Namespace
        <input name="ns" value={draft.ns} onInput={set("ns")} data-testid="filter-namespace" />
      </label>
      <label>
        Name contains
        <input name="name" value={draft.name} onInput={set("name")} data-testid="filter-name" />
      </label>
      <label>
        Labels
        <input
          name="label"
          value={draft.label}
          onInput={set("label")}
          placeholder="team=ml,env!=dev"
          data-testid="filter-label"
        />
      </label>
      <label>
        Template
        <input
          name="template"
          value={draft.template}
          onInput={set("template")}
          placeholder="WorkflowTemplate name"
          data-testid="filter-template"
        />
      </label>
      <fieldset class="params">
        <legend>Parameters</legend>
        {(draft.params.length ? draft.params : [""]).map((value, i) => (
          <input
            key={i}
            value={value}
            aria-label={`parameter ${i + 1} (NAME=VALUE)`}
            placeholder="lr=0.1"
            onInput={(event) => setParam(i, event.currentTarget.value)}
            data-testid="filter-param"
          />
        ))}
        <button type="button" onClick={() => setDraft({ ...draft, params: [...draft.params, ""] })}>
          + parameter
        </button>
      </fieldset>
      <label>
        Created after
        <input
          type="datetime-local"
          value={toLocalInput(draft.after)}
          onInput={(e) => setDraft({ ...draft, after: fromLocalInput(e.currentTarget.value) })}
          data-testid="filter-after"
        />
      </label>
      <label>
        Created before
        <input
          type="datetime-local"
          value={toLocalInput(draft.before)}
          onInput={(e) => setDraft({ ...draft, before: fromLocalInput(e.currentTarget.value) })}
          data-testid="filter-before"
        />
      </label>
      <div class="quick" role="group" aria-label="time range">
        <button type="button" onClick={() => lastHours(1)}>last hour</button>
        <button type="button" onClick={() => lastHours(24)}>last day</button>
        <button type="button" onClick={() => lastHours(24 * 7)}>last week</button>
      </div>
      <fieldset class="phases">
        <legend>Phase</legend>
        {PHASES.map((phase) => (
          <label key={phase} class={`chip phase-${phase}`}>
            <input
              type="checkbox"
              checked={draft.phases.includes(phase)}
              onChange={() => togglePhase(phase)}
              data-testid={`filter-phase-${phase}`}
            />
            {phase}
          </label>
        ))}
      </fieldset>
      <div class="buttons">
        <button type="submit" class="primary" data-testid="filter-apply">
          Search
        </button>
        <button type="button" onClick={() => navigate(listUrl(filtersFrom(new URLSearchParams([["ns", draft.ns]]))))}>
          Clear
        </button>
      </div>
    </form>
  );
}

function Row({ workflow, now }) {
  const { metadata, status = {} } = workflow;
  const href = `/workflows/${encodeURIComponent(metadata.namespace)}/${encodeURIComponent(metadata.name)}`;
  return (
    <div
      class={`row phase-row-${status.phase || "Pending"}`}
      role="row"
      data-testid="workflow-row"
      data-name={metadata.name}
      data-phase={status.phase || "Pending"}
    >
      <span role="cell" class="name">
        <Link href={href}>{metadata.name}</Link>
      </span>
      <span role="cell">
        <Phase phase={status.phase} />
      </span>
      <span role="cell" title={time(status.startedAt || metadata.creationTimestamp)}>
        {ago(status.startedAt || metadata.creationTimestamp, now)}
      </span>
      <span role="cell">{duration(status.startedAt, status.finishedAt, now)}</span>
      <span role="cell">{status.progress || ""}</span>
      <span role="cell" class="message" title={status.message || ""}>
        {status.message || ""}
      </span>
    </div>
  );
}

export function ListPage({ pathNamespace }) {
  const { query } = useLocation();
  const filters = filtersFrom(query);
  if (pathNamespace && !query.get("ns")) filters.ns = pathNamespace;
  const key = listUrl(filters);
  const [state, setState] = useState({ items: null, next: "", error: "", key: "" });
  const [tick, setTick] = useState(0);
  const [now, setNow] = useState(Date.now());

  useEffect(() => {
    let live = true;
    api
      .listWorkflows(filters.ns, filters, filters.limit, filters.continue)
      .then(
        (data) =>
          live && setState({ items: data.items || [], next: data.metadata?.continue || "", error: "", key }),
      )
      .catch((error) => live && setState({ items: [], next: "", error: error.message, key }));
    return () => {
      live = false;
    };
  }, [key, tick]);

  // the first page follows the server's events (debounced re-query)
  useEffect(() => {
    if (filters.continue) return undefined;
    let timer = null;
    const stop = watch({ namespace: filters.ns, labelSelector: filters.label }, () => {
      if (!timer) timer = setTimeout(() => ((timer = null), setTick((t) => t + 1)), 1000);
    });
    const clock = setInterval(() => setNow(Date.now()), 1000);
    return () => {
      stop();
      clearTimeout(timer);
      clearInterval(clock);
    };
  }, [filters.ns, filters.label, filters.continue]);

  const items = state.items || [];
  const loading = state.key !== key;
  const pageSize = (size) => navigate(listUrl({ ...filters, limit: size, continue: "" }));
  return (
    <section aria-labelledby="list-title">
      <h1 id="list-title">Workflows</h1>
      <Filters filters={filters} />
      {state.error && (
        <p role="alert" class="error" data-testid="error">
          {state.error}
        </p>
      )}
      <div
        class={`table workflows${loading ? " loading" : ""}`}
        role="table"
        aria-label="workflows"
        aria-busy={loading ? "true" : "false"}
        data-testid="workflow-table"
      >
        <div class="row head" role="row">
          {["Name", "Phase", "Started", "Duration", "Progress", "Message"].map((h) => (
            <span role="columnheader" key={h}>
              {h}
            </span>
          ))}
        </div>
        {state.items === null ? (
          <p class="muted">Loading…</p>
        ) : items.length === 0 ? (
          <p class="muted" data-testid="empty">
            No workflows match.
          </p>
        ) : (
          <VirtualRows
            count={items.length}
            rowHeight={ROW}
            maxHeight={Math.min(items.length * ROW, 640)}
            label="workflow rows"
            renderRow={(i) => <Row workflow={items[i]} now={now} />}
          />
        )}
      </div>
      <nav class="pager" aria-label="pages">
        <span class="muted" data-testid="count">
          {items.length} shown
        </span>
        <button
          type="button"
          disabled={!filters.continue}
          onClick={() =>
            navigate(listUrl({ ...filters, continue: previousOf.get(filters.continue) || "" }))
          }
        >
          ← Previous
        </button>
        <button type="button" disabled={!filters.continue} onClick={() => pageSize(filters.limit)}>
          First page
        </button>
        <button
          type="button"
          disabled={!state.next || loading}
          data-testid="next-page"
          onClick={() => {
            previousOf.set(state.next, filters.continue);
            navigate(listUrl({ ...filters, continue: state.next }));
          }}
        >
          Next →
        </button>
        <label>
          Per page
          <select value={filters.limit} onChange={(e) => pageSize(e.currentTarget.value)}>
            {SIZES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
      </nav>
    </section>
  );
}
