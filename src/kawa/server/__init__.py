"""``kawa server``: the Argo Server REST API (Hera works against it), kawa's own API,
server-sent events, metrics, and the web UI, in one process with the controller."""
