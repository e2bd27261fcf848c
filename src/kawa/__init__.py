"""kawa: run Argo Workflows YAML on one machine, durably; on Kubernetes when it outgrows one."""

__version__ = "0.1.0"
