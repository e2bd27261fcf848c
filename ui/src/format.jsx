// Times, durations and phases as the UI shows them.

export const PHASES = ["Pending", "Running", "Succeeded", "Failed", "Error"];

export function time(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

export function ago(iso, now = Date.now()) {
  if (!iso) return "";
  const seconds = Math.max(0, (now - new Date(iso).getTime()) / 1000);
  if (seconds < 60) return `${Math.floor(seconds)}s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ago`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)}h ago`;
  return `${Math.floor(seconds / 86400)}d ago`;
}

export function duration(started, finished, now = Date.now()) {
  if (!started) return "";
  const end = finished ? new Date(finished).getTime() : now;
  let seconds = Math.max(0, Math.round((end - new Date(started).getTime()) / 1000));
  const parts = [];
  for (const [unit, size] of [["d", 86400], ["h", 3600], ["m", 60]]) {
    if (seconds >= size) {
      parts.push(`${Math.floor(seconds / size)}${unit}`);
      seconds %= size;
    }
  }
  if (parts.length < 2) parts.push(`${seconds}s`);
  return parts.join(" ");
}

/** ``reused from RUN (node NAME)`` (kawa rerun's message of a reused step), parsed. */
export function reusedFrom(message) {
  const match = /^reused from (\S+) \(node (.+)\)$/.exec(message || "");
  return match ? { run: match[1], node: match[2] } : null;
}

export function Phase({ phase }) {
  const shown = phase || "Pending";
  return (
    <span class={`phase phase-${shown}`} data-testid="phase">
      {shown}
    </span>
  );
}
