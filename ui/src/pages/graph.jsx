// The workflow's graph: status.nodes with Argo's `children` edges, laid out by dagre,
// drawn as SVG; each node is coloured by its phase and opens its details when clicked.
import { Graph, layout } from "@dagrejs/dagre";
import { useMemo, useRef, useState } from "preact/hooks";
import { reusedFrom } from "../format.jsx";

export const LARGE = 1500; // above this many nodes the layout waits for a click

const SMALL_TYPES = new Set(["StepGroup", "TaskGroup"]);

function label(node) {
  const text = node.displayName || node.name;
  return text.length > 32 ? `${text.slice(0, 30)}…` : text;
}

function size(node) {
  if (SMALL_TYPES.has(node.type)) return { width: 18, height: 18 };
  return { width: Math.max(90, Math.min(240, label(node).length * 7.4 + 44)), height: 34 };
}

/** Positions of nodes and edge paths (dagre), recomputed only when the shape changes. */
function layoutOf(nodes) {
  const graph = new Graph();
  graph.setGraph({ rankdir: "TB", nodesep: 24, ranksep: 36, marginx: 12, marginy: 12 });
  graph.setDefaultEdgeLabel(() => ({}));
  for (const node of nodes) graph.setNode(node.id, { ...size(node) });
  const known = new Set(nodes.map((n) => n.id));
  for (const node of nodes) {
    for (const child of node.children || []) if (known.has(child)) graph.setEdge(node.id, child);
  }
  layout(graph);
  const { width, height } = graph.graph();
  const edges = graph.edges().map((e) => ({ key: `${e.v}->${e.w}`, points: graph.edge(e).points }));
  const positions = Object.fromEntries(nodes.map((n) => [n.id, graph.node(n.id)]));
  return { width, height, edges, positions };
}

function path(points) {
  const [first, ...rest] = points;
  return `M${first.x},${first.y}` + rest.map((p) => `L${p.x},${p.y}`).join("");
}

function Node({ node, at, selected, onSelect }) {
  const phase = node.phase || "Pending";
  const reused = reusedFrom(node.message);
  const classes = ["node", `type-${node.type}`, `phase-${phase}`];
  if (selected) classes.push("selected");
  if (reused) classes.push("reused");
  const small = SMALL_TYPES.has(node.type);
  const select = () => onSelect(node.id);
  return (
    <g
      class={classes.join(" ")}
      transform={`translate(${at.x - at.width / 2},${at.y - at.height / 2})`}
      data-testid="graph-node"
      data-name={node.displayName}
      data-phase={phase}
      data-type={node.type}
      role="button"
      tabIndex={0}
      aria-label={`${node.displayName} (${node.type}): ${phase}${reused ? ", reused" : ""}`}
      aria-pressed={selected ? "true" : "false"}
      onClick={select}
      onKeyDown={(event) => (event.key === "Enter" || event.key === " ") && (event.preventDefault(), select())}
    >
      <title>{`${node.name}\n${node.type} · ${phase}${node.message ? `\n${node.message}` : ""}`}</title>
      {small ? (
        <circle cx={at.width / 2} cy={at.height / 2} r={at.width / 2} />
      ) : (
        <>
          <rect width={at.width} height={at.height} rx={node.type === "Pod" ? 6 : 17} />
          <circle class="dot" cx={16} cy={at.height / 2} r={6} />
          <text x={30} y={at.height / 2 + 4}>
            {label(node)}
          </text>
          {reused && (
            <text class="badge" x={at.width - 8} y={12} text-anchor="end">
              ↺
            </text>
          )}
        </>
      )}
    </g>
  );
}

export function WorkflowGraph({ workflow, selected, onSelect }) {
  const nodes = Object.values(workflow.status?.nodes || {});
  const [force, setForce] = useState(false);
  const [zoom, setZoom] = useState(1);
  const scroller = useRef(null);
  const shape = nodes.map((n) => `${n.id}:${(n.children || []).join(",")}`).join(";");
  const laid = useMemo(
    () => (nodes.length && (nodes.length <= LARGE || force) ? layoutOf(nodes) : null),
    [shape, force],
  );
  if (!nodes.length) return <p class="muted">No nodes yet.</p>;
  if (!laid) {
    return (
      <p class="muted">
        {nodes.length} nodes.{" "}
        <button type="button" onClick={() => setForce(true)}>
          Lay out the graph anyway
        </button>
      </p>
    );
  }
  return (
    <div class="graph-wrap">
      <div class="zoom" role="group" aria-label="zoom">
        <button type="button" aria-label="zoom out" onClick={() => setZoom(Math.max(0.05, zoom / 1.25))}>
          −
        </button>
        <button type="button" aria-label="actual size" onClick={() => setZoom(1)}>
          {Math.round(zoom * 100)}%
        </button>
        <button type="button" aria-label="zoom in" onClick={() => setZoom(Math.min(3, zoom * 1.25))}>
          +
        </button>
        <button
          type="button"
          aria-label="fit the graph"
          onClick={() => setZoom(Math.min(1, (scroller.current.clientWidth - 16) / laid.width))}
        >
          fit
        </button>
      </div>
      <div class="graph-scroll" ref={scroller}>
        <svg
          class="graph"
          data-testid="graph"
          width={laid.width * zoom}
          height={laid.height * zoom}
          viewBox={`0 0 ${laid.width} ${laid.height}`}
          role="group"
          aria-label="workflow graph"
        >
          <defs>
            <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto">
              <path d="M0,0L10,5L0,10z" class="arrow" />
            </marker>
          </defs>
          {laid.edges.map((edge) => (
            <path key={edge.key} class="edge" d={path(edge.points)} marker-end="url(#arrow)" />
          ))}
          {nodes.map((node) =>
            laid.positions[node.id] ? (
              <Node
                key={node.id}
                node={node}
                at={laid.positions[node.id]}
                selected={node.id === selected}
                onSelect={onSelect}
              />
            ) : null,
          )}
        </svg>
      </div>
    </div>
  );
}
