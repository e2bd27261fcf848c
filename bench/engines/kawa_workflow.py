"""kawa: a workload as an Argo Workflow (a DAG of container templates), run by ``kawa run``.

Each task is a host process: ``true``; the fan-out's tasks ``echo`` their item, and the
fan-in task takes the fan-out's aggregated results (``{{tasks.emit.outputs.result}}``, a
JSON list) as a parameter.  ``parallelism`` caps the running steps at ``slots``.
"""

from __future__ import annotations

HEAD = """apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: bench-{workload}-
spec:
  entrypoint: main
  parallelism: {slots}
  templates:
    - name: noop
      container:
        image: busybox
        command: ["true"]
    - name: emit
      inputs:
        parameters:
          - name: item
      container:
        image: busybox
        command: [echo]
        args: ["{{{{inputs.parameters.item}}}}"]
    - name: gather
      inputs:
        parameters:
          - name: items
      container:
        image: busybox
        command: ["true"]
        args: ["{{{{inputs.parameters.items}}}}"]
    - name: main
      dag:
        tasks:
"""

INDEPENDENT = """          - name: noop
            template: noop
            withSequence:
              count: "{size}"
"""

FAN = """          - name: emit
            template: emit
            arguments:
              parameters:
                - name: item
                  value: "{{{{item}}}}"
            withSequence:
              count: "{size}"
          - name: gather
            depends: emit
            template: gather
            arguments:
              parameters:
                - name: items
                  value: "{{{{tasks.emit.outputs.result}}}}"
"""


def workflow(workload: str, size: int, slots: int) -> str:
    head = HEAD.format(workload=workload, slots=slots)
    if workload == "independent":
        return head + INDEPENDENT.format(size=size)
    if workload == "fan":
        return head + FAN.format(size=size)
    steps = []
    for i in range(1, size + 1):
        depends = f"\n            depends: step{i - 1}" if i > 1 else ""
        steps.append(f"          - name: step{i}\n            template: noop{depends}\n")
    return head + "".join(steps)
