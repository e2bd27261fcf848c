"""The fork server: a small stdlib-only process that launches, isolates and reaps steps.

It is started once per :class:`~kawa.executors.local.executor.LocalExecutor` with
``python -I -S forkserver.py`` and imports this package as the top-level package
``_forkserver``; the controller imports the same modules as
``kawa.executors.local._forkserver``.  Modules here therefore use relative imports only
and import nothing outside the standard library.
"""
