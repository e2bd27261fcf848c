"""kawa: run Argo Workflows YAML on one machine, durably; on Kubernetes when it outgrows one."""

from kawa._version import __version__

__all__ = ["__version__", "outputs", "run"]


def run(workflow: object, parameters: object = None, **options: object) -> object:
    """Run a Hera Workflow or an Argo Workflow dict to its end (see :mod:`kawa.sdk`)."""
    from kawa import sdk

    return sdk.run(workflow, parameters, **options)  # type: ignore[arg-type]


def outputs(workflow: object, dest: object, **options: object) -> object:
    """Download a finished workflow's output artifacts (see :mod:`kawa.sdk`)."""
    from kawa import sdk

    return sdk.outputs(workflow, dest, **options)  # type: ignore[arg-type]
