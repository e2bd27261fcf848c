"""DAG templates: tasks start when what they depend on allows it.

As in Argo: a task waits until every task its ``depends`` (or ``dependencies``) names is
fulfilled; then a false ``depends`` makes it Omitted and a false ``when`` Skipped.  A loop
task is a TaskGroup node ``dag.task`` with children ``dag.task(i:item)``.  With
``failFast`` (the default) no new task starts after an unexpected failure, and the DAG
fails with "template has failed or errored children and failFast enabled" once running
tasks end.  The DAG's phase follows Argo's ``assessDAGPhase``: each target task (``target``,
or every task nothing depends on) takes its own phase, an Omitted one its parent branch's;
any Failed/Error target fails the DAG.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from kawa.engine import advance, artifacts, conditions, hooks, loops, naming, outputs, references
from kawa.engine.calls import Call, run_call
from kawa.engine.run import Run
from kawa.engine.scope import Scope, UnresolvedReference, substitute
from kawa.engine.templates import Resolved
from kawa.spec.actions import StartStep
from kawa.spec.errors import ExpressionError, KawaError
from kawa.spec.expressions import depends as depends_logic
from kawa.spec.frozen import evolve, frozen
from kawa.spec.status import NodePhase, NodeStatus, NodeType

FAIL_FAST_MESSAGE = "template has failed or errored children and failFast enabled"

#: ``tasks.X.*`` values of fulfilled tasks (they never change again), by node id: each DAG
#: pass would otherwise compute them again for every finished task.  The node object is
#: kept to check it is still the same one (a retried workflow makes new ones).
_TASK_VALUES: dict[str, tuple[NodeStatus, dict[str, Any]]] = {}


@frozen
class Graph:
    """The static shape of a DAG template: order, dependencies, targets."""

    tasks: Mapping[str, Mapping[str, Any]]
    order: tuple[str, ...]
    dependencies: Mapping[str, tuple[str, ...]]
    expressions: Mapping[str, str]
    targets: tuple[str, ...]


class _TaskScope:
    """``tasks.X.*`` variables, computed only when a task is about to start or change.

    A pass over a DAG of n tasks adds every task's node and asks for the scope each time
    one starts: the values of a task are computed again only when its node changed.
    """

    def __init__(self, run: Run, resolved: Resolved, base: Scope) -> None:
        self.run = run
        self.resolved = resolved
        self.base = base
        self.nodes: dict[str, NodeStatus] = {}
        self._changed: set[str] = set()
        self._values: dict[str, Any] = {}
        self._keys: dict[str, tuple[str, ...]] = {}
        self._scope: Scope | None = None

    def add(self, name: str, node: NodeStatus) -> None:
        if self.nodes.get(name) is not node:
            self.nodes[name] = node
            self._changed.add(name)
            self._scope = None

    def scope(self) -> Scope:
        if self._scope is None:
            for name in self._changed:
                for key in self._keys.get(name, ()):
                    del self._values[key]
                values = _task_values(self.run, name, self.nodes[name], self.resolved)
                self._values.update(values)
                self._keys[name] = tuple(values)
            self._changed.clear()
            self._scope = self.base.with_values(self._values)
        return self._scope


def execute(run: Run, call: Call, resolved: Resolved, node: NodeStatus, scope: Scope) -> NodeStatus:
    graph = _graph(resolved.template["dag"])
    wanted = _closure(graph, _targets(graph, resolved.template["dag"], scope))
    tasks_scope = _TaskScope(run, resolved, scope)
    fail_fast = bool(resolved.template.get("failFast"))
    stopped = False
    limit = resolved.template.get("parallelism")
    running = 0
    for name in graph.order:
        task_node = run.by_name(naming.task(node.name, name))
        if task_node is not None and not task_node.fulfilled:
            running += 1
    pending = False
    for name in graph.order:
        if name not in wanted:
            continue
        task = graph.tasks[name]
        node_name = naming.task(node.name, name)
        existing = run.by_name(node_name)
        if existing is not None and existing.fulfilled and not hooks.hooks_of(task):
            tasks_scope.add(name, existing)
            stopped = stopped or (fail_fast and _failed(existing, task))
            continue
        parents: list[str] = []
        if existing is None:
            if stopped:
                continue
            if run.launch_window_full():
                pending = True
                continue
            ready, holds = _dependencies_ready(run, node, graph, name)
            if not ready or (limit is not None and running >= int(limit)):
                pending = True
                continue
            parents = _parents(run, node, graph, name)
            if not holds:
                omitted = _omit(run, node, node_name, name, task)
                _link(run, parents, omitted.id)
                tasks_scope.add(name, omitted)
                continue
        try:
            current = _run_task(
                run, call, resolved, node, name, task, tasks_scope, existing, parents
            )
        except UnresolvedReference:
            pending = True
            continue
        if existing is None and not current.fulfilled:
            running += 1
        tasks_scope.add(name, run.get(current.id))
        if not current.fulfilled and not current.daemoned:
            pending = True
            continue
        stopped = stopped or (fail_fast and _failed(current, task))
        current = hooks.after_step(
            run, call, resolved, node, current, task, tasks_scope.scope(), prefix="tasks"
        )
        if not current.fulfilled and not current.daemoned:
            pending = True
    if pending:
        if not stopped and limit is None:
            _advance(run, call, resolved, node, graph, wanted, scope)
        return run.get(node.id)
    from kawa.engine.pods import end_daemons

    end_daemons(run, node.id)
    if stopped:
        return run.save(run.get(node.id).with_phase(NodePhase.FAILED, run.now, FAIL_FAST_MESSAGE))
    return _assess(run, resolved, node, graph, wanted, tasks_scope.scope())


def _advance(
    run: Run,
    call: Call,
    resolved: Resolved,
    dag_node: NodeStatus,
    graph: Graph,
    wanted: set[str],
    scope: Scope,
) -> None:
    """Issue the starts that task X succeeding will lead to, before it ends (``advance``).

    They are worked out on a copy of the run in which X has succeeded, with the code
    that will start them for real; the copy is then dropped, and X marked so that they
    are issued once.
    """
    if not advance.workflow_allows(run):
        return
    candidates: dict[str, list[str]] = {}
    for name in graph.order:
        deps = graph.dependencies[name]
        if (
            name in wanted
            and len(deps) == 1
            and run.by_name(naming.task(dag_node.name, name)) is None
        ):
            candidates.setdefault(deps[0], []).append(name)
    for after, names in candidates.items():
        before = run.by_name(naming.task(dag_node.name, after))
        if before is None or not advance.predecessor(before):
            continue
        if hooks.hooks_of(graph.tasks[after]):
            continue
        if not _plain_template(run, resolved, before) or not advance.alone(run, before):
            continue
        starts = _starts_after(run, call, resolved, dag_node, graph, before, after, names, scope)
        if not starts:
            continue
        for start in starts:
            run.actions.append(evolve(start, after=before.id))
        run.save(before.with_private(advanced=[s.node_id for s in starts]))


def _plain_template(run: Run, resolved: Resolved, node: NodeStatus) -> bool:
    from kawa.engine.templates import TemplateError, by_name

    try:
        template = by_name(run, str(node.template_name), resolved.scope)
    except TemplateError:
        return False
    return advance.plain_step(template)


def _starts_after(
    run: Run,
    call: Call,
    resolved: Resolved,
    dag_node: NodeStatus,
    graph: Graph,
    before: NodeStatus,
    after: str,
    names: list[str],
    scope: Scope,
) -> list[StartStep]:
    """The starts of tasks ``names`` if ``before`` (task ``after``) succeeded now."""
    from kawa.engine.templates import TemplateError, by_name

    what_if = run.what_if()
    what_if.nodes[before.id] = before.with_phase(NodePhase.SUCCEEDED, run.now)
    tasks_scope = _TaskScope(what_if, resolved, scope)
    for name in graph.order:
        existing = what_if.by_name(naming.task(dag_node.name, name))
        if existing is not None:
            tasks_scope.add(name, existing)
    for name in names:
        task = graph.tasks[name]
        try:
            template = by_name(what_if, str(task.get("template")), resolved.scope)
        except TemplateError:
            return []
        if not advance.independent(task, template, after):
            return []
        ready, holds = _dependencies_ready(what_if, dag_node, graph, name)
        if not (ready and holds) or what_if.launch_window_full():
            return []
        parents = _parents(what_if, dag_node, graph, name)
        try:
            _run_task(what_if, call, resolved, dag_node, name, task, tasks_scope, None, parents)
        except (UnresolvedReference, KawaError):
            return []
    starts = [a for a in what_if.actions if isinstance(a, StartStep)]
    if len(starts) != len(what_if.actions) or len(starts) < len(names):
        return []  # something besides starting them (a lock, a cache lookup, an error)
    return starts


def _omit(
    run: Run, dag_node: NodeStatus, node_name: str, name: str, task: Mapping[str, Any]
) -> NodeStatus:
    return run.skip(
        node_name,
        name,
        task,
        boundary_id=dag_node.id,
        phase=NodePhase.OMITTED,
        message="omitted: depends condition not met",
    )


def _run_task(
    run: Run,
    call: Call,
    resolved: Resolved,
    dag_node: NodeStatus,
    name: str,
    task: Mapping[str, Any],
    tasks_scope: _TaskScope,
    existing: NodeStatus | None,
    parents: list[str],
) -> NodeStatus:
    node_name = naming.task(dag_node.name, name)
    task_call = Call(
        node_name=node_name,
        display_name=name,
        holder=task,
        scope=resolved.scope,
        globals=call.globals,
        boundary_id=dag_node.id,
    )
    if existing is not None:
        if not loops.has_loop(task):
            return run_call(run, task_call)  # arguments only matter when the node is created
        return _run_loop(run, call, resolved, dag_node, name, task, tasks_scope, existing, parents)
    scope = tasks_scope.scope()
    if existing is None:
        try:
            runs, text = conditions.when(task, scope)
        except ExpressionError as error:
            return _error(run, dag_node, node_name, name, task, parents, str(error))
        if not runs:
            skipped = run.skip(
                node_name,
                name,
                task,
                boundary_id=dag_node.id,
                phase=NodePhase.SKIPPED,
                message=conditions.skipped_message(text),
            )
            _link(run, parents, skipped.id)
            return skipped
    if loops.has_loop(task):
        return _run_loop(run, call, resolved, dag_node, name, task, tasks_scope, existing, parents)
    try:
        arguments = substitute(artifacts.expressions_as_tags(task.get("arguments")), scope)
    except (UnresolvedReference, ExpressionError) as error:
        return _error(run, dag_node, node_name, name, task, parents, _absent(str(error)))
    child = run_call(run, evolve(task_call, arguments=arguments))
    if existing is None:
        _link(run, parents, child.id)
    return run.get(child.id)


def _run_loop(
    run: Run,
    call: Call,
    resolved: Resolved,
    dag_node: NodeStatus,
    name: str,
    task: Mapping[str, Any],
    tasks_scope: _TaskScope,
    existing: NodeStatus | None,
    parents: list[str],
) -> NodeStatus:
    node_name = naming.task(dag_node.name, name)
    group = existing
    if group is None:
        group = run.create(
            node_name,
            NodeType.TASK_GROUP,
            display_name=name,
            template_name=task.get("template"),
            template_ref=task.get("templateRef"),
            boundary_id=dag_node.id,
            phase=NodePhase.RUNNING,
        )
        _link(run, parents, group.id)
    try:
        items = loops.items_of(group, task, tasks_scope.scope, run.spec)
    except (KawaError, ValueError) as error:
        return run.save(group.with_phase(NodePhase.ERROR, run.now, str(error)))
    if not items:
        return run.save(group.with_phase(NodePhase.SKIPPED, run.now, "Skipped, empty params"))
    unfinished = False
    placed = _by_index(run, group, node_name)
    for index, item in enumerate(items):
        if index < len(placed) and placed[index] is not None:
            child_node = run.nodes.get(placed[index] or "")
            if child_node is not None and child_node.fulfilled:
                continue
            if child_node is not None:  # created before: drive it, no re-expansion needed
                child = run_call(
                    run,
                    Call(
                        node_name=child_node.name,
                        display_name=child_node.display_name,
                        holder=task,
                        scope=resolved.scope,
                        globals=call.globals,
                        boundary_id=dag_node.id,
                        extra=loops.item_values(item),
                    ),
                )
                unfinished = unfinished or not child.fulfilled
                continue
        elif run.launch_window_full():
            unfinished = True
            break
        scope = tasks_scope.scope()
        body = loops.expand(task, item, scope)
        item_scope = scope.with_values(loops.item_values(item))
        try:
            arguments = substitute(artifacts.expressions_as_tags(body.get("arguments")), item_scope)
        except (UnresolvedReference, ExpressionError) as error:
            return run.save(group.with_phase(NodePhase.ERROR, run.now, str(error)))
        child = run_call(
            run,
            Call(
                node_name=naming.loop_child(node_name, index, item),
                display_name=naming.loop_child(name, index, item),
                holder=body,
                scope=resolved.scope,
                globals=call.globals,
                arguments=arguments,
                boundary_id=dag_node.id,
                parent_id=group.id,
                extra=loops.item_values(item),
            ),
        )
        unfinished = unfinished or not child.fulfilled
        group = run.get(group.id)
    group = run.get(group.id)
    if unfinished or len(group.children) < len(items):
        return group
    children = [run.get(c) for c in group.children]
    failed = [c for c in children if c.phase.failed_or_error]
    if failed:
        worst = references.aggregate_phase(failed)
        return run.save(group.with_phase(worst, run.now, f"child '{failed[0].id}' failed"))
    return run.save(group.with_phase(NodePhase.SUCCEEDED, run.now))


def _by_index(run: Run, group: NodeStatus, node_name: str) -> list[str | None]:
    """The loop's child node ids by item index (``name(i:item)``), with gaps where a child
    is missing (``kawa retry`` removed it); usually just ``group.children``."""
    children = group.children
    prefix = len(node_name) + 1
    placed: list[str | None] = list(children)
    for index, child_id in enumerate(children):
        node = run.nodes.get(child_id)
        if node is None or not node.name.startswith(f"({index}:", prefix - 1):
            break
    else:
        return placed
    placed = []
    for child_id in children:
        node = run.nodes.get(child_id)
        if node is None:
            continue
        number = node.name[prefix : node.name.find(":", prefix)]
        if not number.isdigit():
            continue
        position = int(number)
        placed.extend([None] * (position + 1 - len(placed)))
        placed[position] = child_id
    return placed


def _error(
    run: Run,
    dag_node: NodeStatus,
    node_name: str,
    name: str,
    task: Mapping[str, Any],
    parents: list[str],
    message: str,
) -> NodeStatus:
    node = run.by_name(node_name)
    if node is not None:
        return run.save(node.with_phase(NodePhase.ERROR, run.now, message))
    node = run.skip(
        node_name, name, task, boundary_id=dag_node.id, phase=NodePhase.ERROR, message=message
    )
    _link(run, parents, node.id)
    return node


def _absent(message: str) -> str:
    if "failed to resolve" in message:
        return f"{message}: the output of a Skipped or Omitted task is absent (absent optional)"
    return message


def _link(run: Run, parents: list[str], child_id: str) -> None:
    for parent in parents:
        run.link(parent, child_id)


def _parents(run: Run, dag_node: NodeStatus, graph: Graph, name: str) -> list[str]:
    deps = graph.dependencies[name]
    if not deps:
        return [dag_node.id]
    ids: list[str] = []
    for dep in deps:
        dep_node = run.by_name(naming.task(dag_node.name, dep))
        if dep_node is not None:
            ids.extend(outputs.outbound_of(run, dep_node))
    return ids


def _dependencies_ready(
    run: Run, dag_node: NodeStatus, graph: Graph, name: str
) -> tuple[bool, bool]:
    """(all dependencies settled, the depends expression holds)."""
    outcomes: dict[str, depends_logic.TaskOutcome] = {}
    for dep in graph.dependencies[name]:
        dep_node = run.by_name(naming.task(dag_node.name, dep))
        if dep_node is None:
            return False, False
        if not dep_node.fulfilled and not dep_node.daemoned:
            return False, False
        outcomes[dep] = _outcome(run, dep_node)
    expression = graph.expressions.get(name)
    if not expression:
        return True, True
    parsed = depends_logic.parse_depends(expression, _continue_on(graph))
    return True, parsed.evaluate(lambda task: outcomes[task])


def _continue_on(graph: Graph) -> dict[str, depends_logic.ContinueOn]:
    found = {}
    for name, task in graph.tasks.items():
        cont = task.get("continueOn") or {}
        if cont:
            found[name] = depends_logic.ContinueOn(
                failed=bool(cont.get("failed")), error=bool(cont.get("error"))
            )
    return found


def _outcome(run: Run, node: NodeStatus) -> depends_logic.TaskOutcome:
    children: tuple[str, ...] | None = None
    if node.type is NodeType.TASK_GROUP:
        children = tuple(str(run.get(c).phase) for c in node.children if c in run.nodes)
    return depends_logic.TaskOutcome(
        phase=str(node.phase), daemoned=node.daemoned, children=children
    )


def _task_values(run: Run, name: str, node: NodeStatus, resolved: Resolved) -> dict[str, Any]:
    prefix = f"tasks.{name}"
    cached = _TASK_VALUES.get(node.id)
    if cached is not None and cached[0] is node:
        return cached[1]
    if node.type is NodeType.TASK_GROUP:
        values = references.loop_values(prefix, [run.get(c) for c in node.children])
        values.update({f"{prefix}.status": str(node.phase), f"{prefix}.id": node.id})
    elif node.phase in (NodePhase.SKIPPED, NodePhase.OMITTED):
        return references.node_values(prefix, node, _defaults_of(run, node, resolved))
    else:
        values = references.node_values(prefix, node, {})
    if node.fulfilled:  # final: the same node object always has the same values
        if len(_TASK_VALUES) > 4096:
            _TASK_VALUES.clear()
        _TASK_VALUES[node.id] = (node, values)
    return values


def _defaults_of(run: Run, node: NodeStatus, resolved: Resolved) -> dict[str, str]:
    from kawa.engine.templates import TemplateError, by_name

    if not node.template_name:
        return {}
    try:
        template = by_name(run, node.template_name, resolved.scope)
    except TemplateError:
        return {}
    return outputs.output_defaults(template)


def _failed(node: NodeStatus, task: Mapping[str, Any]) -> bool:
    return node.phase.failed_or_error and not conditions.continues_on(task, node.phase)


def _assess(
    run: Run,
    resolved: Resolved,
    node: NodeStatus,
    graph: Graph,
    wanted: set[str],
    scope: Scope,
) -> NodeStatus:
    phases = _branch_phases(run, node, graph, wanted)
    targets = [t for t in _targets(graph, resolved.template["dag"], scope) if t in wanted]
    outbound: list[str] = []
    result = NodePhase.SUCCEEDED
    message = ""  # Argo leaves a failed DAG without a message
    for target in targets:
        phase = phases.get(target, NodePhase.SUCCEEDED)
        target_node = run.by_name(naming.task(node.name, target))
        if target_node is not None:
            outbound.extend(outputs.outbound_of(run, target_node))
        if phase.failed_or_error and result is NodePhase.SUCCEEDED:
            task = graph.tasks[target]
            if target_node is None or not conditions.continues_on(task, target_node.phase):
                result = phase
    current = run.get(node.id)
    if result is NodePhase.SUCCEEDED:
        try:
            produced = outputs.template_outputs(resolved.template, scope)
        except (KawaError, ValueError) as error:
            return run.save(current.with_phase(NodePhase.ERROR, run.now, str(error)))
        current = evolve(current, outputs=produced)
    current = evolve(current, outbound_nodes=tuple(dict.fromkeys(outbound)))
    return run.save(current.with_phase(result, run.now, message))


def _branch_phases(
    run: Run, node: NodeStatus, graph: Graph, wanted: set[str]
) -> dict[str, NodePhase]:
    """Each task's phase, Omitted tasks inheriting their parent branch's (assessDAGPhase)."""
    phases: dict[str, NodePhase] = {}
    for name in graph.order:
        if name not in wanted:
            continue
        task_node = run.by_name(naming.task(node.name, name))
        if task_node is None:
            continue
        if task_node.phase is not NodePhase.OMITTED:
            phases[name] = task_node.phase
            continue
        inherited = NodePhase.SUCCEEDED
        for dep in graph.dependencies[name]:
            if dep in phases:
                inherited = phases[dep]
                break
        phases[name] = inherited
    return phases


def _targets(graph: Graph, dag: Mapping[str, Any], scope: Scope) -> tuple[str, ...]:
    target = dag.get("target")
    if target:
        text = substitute(str(target), scope, strict=False)
        return tuple(t for t in text.replace(",", " ").split() if t)
    return graph.targets


def _closure(graph: Graph, targets: tuple[str, ...]) -> set[str]:
    wanted: set[str] = set()
    stack = [t for t in targets if t in graph.tasks]
    while stack:
        name = stack.pop()
        if name in wanted:
            continue
        wanted.add(name)
        stack.extend(graph.dependencies[name])
    return wanted


def _graph(dag: Mapping[str, Any]) -> Graph:
    return _graph_cached(_Key(dag))


class _Key:
    """Identity-keyed wrapper so a template's graph is computed once per spec object."""

    __slots__ = ("dag",)

    def __init__(self, dag: Mapping[str, Any]) -> None:
        self.dag = dag

    def __hash__(self) -> int:
        return id(self.dag)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Key) and other.dag is self.dag


@lru_cache(maxsize=256)
def _graph_cached(key: _Key) -> Graph:
    tasks = {str(t["name"]): t for t in key.dag.get("tasks") or []}
    dependencies: dict[str, tuple[str, ...]] = {}
    expressions: dict[str, str] = {}
    for name, task in tasks.items():
        if task.get("depends"):
            parsed = depends_logic.parse_depends(str(task["depends"]))
            dependencies[name] = tuple(sorted(parsed.tasks))
            expressions[name] = str(task["depends"])
        else:
            deps = tuple(str(d) for d in task.get("dependencies") or [])
            dependencies[name] = deps
            if deps:
                continue_on = {
                    d: depends_logic.ContinueOn(
                        failed=bool(((tasks.get(d) or {}).get("continueOn") or {}).get("failed")),
                        error=bool(((tasks.get(d) or {}).get("continueOn") or {}).get("error")),
                    )
                    for d in deps
                }
                expressions[name] = depends_logic.dependencies_to_depends(list(deps), continue_on)
    order = _topological(tasks, dependencies)
    depended = {d for deps in dependencies.values() for d in deps}
    targets = tuple(n for n in order if n not in depended)
    return Graph(tasks, order, dependencies, expressions, tuple(sorted(targets)))


def _topological(
    tasks: Mapping[str, Any], dependencies: Mapping[str, tuple[str, ...]]
) -> tuple[str, ...]:
    order: list[str] = []
    seen: set[str] = set()
    visiting: set[str] = set()

    def visit(name: str) -> None:
        if name in seen or name not in tasks:
            return
        if name in visiting:
            raise KawaError(f"dependency cycle at task {name!r}")
        visiting.add(name)
        for dep in dependencies[name]:
            visit(dep)
        visiting.discard(name)
        seen.add(name)
        order.append(name)

    for name in tasks:
        visit(name)
    return tuple(order)
