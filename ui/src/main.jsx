// kawa's web UI: the workflow list, a workflow's page, templates and cron workflows.
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { auth } from "./api.js";
import "./style.css";
import { CronPage } from "./pages/crons.jsx";
import { ListPage } from "./pages/list.jsx";
import { TemplatesPage } from "./pages/templates.jsx";
import { WorkflowPage } from "./pages/workflow.jsx";
import { Link, useLocation } from "./router.jsx";

const SECTIONS = [
  ["/", "Workflows"],
  ["/workflow-templates", "Templates"],
  ["/cron-workflows", "Cron workflows"],
];

function route(path) {
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  if (parts[0] === "workflows" && parts.length === 3) {
    return { section: "/", page: <WorkflowPage namespace={parts[1]} name={parts[2]} /> };
  }
  if (parts[0] === "workflow-templates") return { section: "/workflow-templates", page: <TemplatesPage /> };
  if (parts[0] === "cron-workflows") return { section: "/cron-workflows", page: <CronPage /> };
  if (parts.length === 0 || (parts[0] === "workflows" && parts.length <= 2)) {
    return { section: "/", page: <ListPage pathNamespace={parts[1]} /> };
  }
  return { section: "", page: <p role="alert">No page here: {path}</p> };
}

/** Shown when the server answers 401: it listens beyond loopback and wants a token. */
function TokenForm() {
  const [needed, setNeeded] = useState(false);
  const [token, setToken] = useState("");
  useEffect(() => {
    const ask = () => setNeeded(true);
    window.addEventListener("kawa:unauthorized", ask);
    return () => window.removeEventListener("kawa:unauthorized", ask);
  }, []);
  if (!needed) return null;
  return (
    <form
      class="token"
      role="alert"
      onSubmit={(e) => {
        e.preventDefault();
        auth.set(token.trim());
        location.reload();
      }}
    >
      <label>
        This server wants an API token (<code>kawa auth token create NAME</code>)
        {auth.token() ? "; the one given was refused" : ""}:{" "}
        <input type="password" value={token} onInput={(e) => setToken(e.currentTarget.value)} data-testid="token" />
      </label>{" "}
      <button type="submit" class="primary">
        Use token
      </button>
    </form>
  );
}

function App() {
  const { path, query } = useLocation();
  const { section, page } = route(path);
  const ns = query.get("ns");
  return (
    <>
      <header class="top">
        <Link href="/" class="brand" aria-label="kawa home">
          kawa
        </Link>
        <nav aria-label="sections">
          {SECTIONS.map(([href, label]) => (
            <Link
              key={href}
              href={ns ? `${href}?ns=${encodeURIComponent(ns)}` : href}
              aria-current={section === href ? "page" : undefined}
            >
              {label}
            </Link>
          ))}
          <a href="/docs">API</a>
        </nav>
      </header>
      <TokenForm />
      <main>{page}</main>
    </>
  );
}

render(<App />, document.getElementById("app"));
