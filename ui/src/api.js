// The server's REST API (Argo Server's, plus kawa's /api/kawa/v1), as the UI uses it.
import { queryString } from "./router.jsx";

export class ApiError extends Error {}

// kawa server asks for a bearer token when it listens beyond loopback; the UI asks the
// person for one once (see TokenForm) and keeps it for this browser tab.
const TOKEN_KEY = "kawa.token";
export const auth = {
  token: () => sessionStorage.getItem(TOKEN_KEY) || "",
  set(token) {
    sessionStorage.setItem(TOKEN_KEY, token);
    window.dispatchEvent(new Event("kawa:token"));
  },
  headers() {
    const token = this.token();
    return token ? { authorization: `Bearer ${token}` } : {};
  },
};

function unauthorized(response) {
  if (response.status === 401) window.dispatchEvent(new Event("kawa:unauthorized"));
}

async function request(method, path, body) {
  const init = { method, headers: auth.headers() };
  if (body !== undefined) {
    init.headers["content-type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  unauthorized(response);
  const text = await response.text();
  let data = {};
  try {
    data = text ? JSON.parse(text) : {};
  } catch {
    data = { message: text };
  }
  if (!response.ok) throw new ApiError(data.message || `${response.status} ${response.statusText}`);
  return data;
}

const enc = encodeURIComponent;

export const api = {
  listWorkflows(ns, filters, limit, token) {
    const pairs = [
      ["listOptions.limit", limit],
      ["listOptions.continue", token],
      ["listOptions.labelSelector", filters.label],
      ["namePattern", filters.name],
      ["template", filters.template],
      ["createdAfter", filters.after],
      ["createdBefore", filters.before],
      ...filters.phases.map((p) => ["phase", p]),
      ...filters.params.map((p) => ["parameter", p]),
    ];
    return request("GET", `/api/v1/workflows/${enc(ns)}${queryString(pairs)}`);
  },
  getWorkflow: (ns, name) => request("GET", `/api/v1/workflows/${enc(ns)}/${enc(name)}`),
  createWorkflow: (ns, workflow) => request("POST", `/api/v1/workflows/${enc(ns)}`, { workflow }),
  act: (ns, name, verb, body = {}) =>
    request("PUT", `/api/v1/workflows/${enc(ns)}/${enc(name)}/${verb}`, body),
  rerun: (ns, name, from, parameters) =>
    request("POST", `/api/kawa/v1/workflows/${enc(ns)}/${enc(name)}/rerun`, { from, parameters }),
  provenance: (ns, name) =>
    request("GET", `/api/kawa/v1/workflows/${enc(ns)}/${enc(name)}/provenance`),
  list: (kind, ns) => request("GET", ns == null ? `/api/v1/${kind}` : `/api/v1/${kind}/${enc(ns)}`),
  actOn: (kind, ns, name, verb) => request("PUT", `/api/v1/${kind}/${enc(ns)}/${enc(name)}/${verb}`, {}),
};

/**
 * Streams a node's log (Argo's NDJSON ``{"result": {"content"}}`` lines), calling
 * ``onLine`` for each; follows while the node runs.  Returns a function that stops it.
 */
export function streamLog(ns, name, nodeId, follow, onLine, onError) {
  const controller = new AbortController();
  const query = queryString([
    ["podName", nodeId],
    ["logOptions.container", "main"],
    ["logOptions.follow", follow ? "true" : ""],
  ]);
  const url = `/api/v1/workflows/${enc(ns)}/${enc(name)}/log${query}`;
  (async () => {
    const response = await fetch(url, { signal: controller.signal, headers: auth.headers() });
    unauthorized(response);
    if (!response.ok) {
      const data = await response.json().catch(() => ({}));
      throw new ApiError(data.message || `${response.status}`);
    }
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      const lines = buffer.split("\n");
      buffer = lines.pop();
      for (const line of lines) if (line.trim()) onLine(JSON.parse(line).result?.content ?? "");
    }
  })().catch((error) => {
    if (error.name !== "AbortError") onError(error);
  });
  return () => controller.abort();
}

/**
 * Server-sent events of workflows changing (kawa's /api/kawa/v1/events), read with fetch
 * so the bearer token goes along; reconnects after a dropped connection.
 */
export function watch({ namespace, name = "", labelSelector = "" }, onWorkflow) {
  const query = queryString([
    ["namespace", namespace],
    ["name", name],
    ["labelSelector", labelSelector],
  ]);
  const controller = new AbortController();
  const dispatch = (block) => {
    let kind = "message";
    const data = [];
    for (const line of block.split("\n")) {
      if (line.startsWith("event:")) kind = line.slice(6).trim();
      else if (line.startsWith("data:")) data.push(line.slice(5).trimStart());
    }
    if ((kind === "added" || kind === "modified") && data.length) onWorkflow(JSON.parse(data.join("\n")));
  };
  const connect = async () => {
    const response = await fetch(`/api/kawa/v1/events${query}`, {
      signal: controller.signal,
      headers: { accept: "text/event-stream", ...auth.headers() },
    });
    unauthorized(response);
    if (!response.ok) throw new ApiError(`events: ${response.status}`);
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      const blocks = buffer.split("\n\n");
      buffer = blocks.pop();
      blocks.forEach(dispatch);
    }
  };
  (async () => {
    let delay = 1000;
    while (!controller.signal.aborted) {
      try {
        await connect();
        delay = 1000;
      } catch (error) {
        if (error.name === "AbortError") return;
      }
      await new Promise((wake) => setTimeout(wake, delay));
      delay = Math.min(delay * 2, 15000);
    }
  })();
  return () => controller.abort();
}
