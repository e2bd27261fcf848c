"""Argo's expression languages, as a pure library (standard library only, no I/O).

Call through the modules (``tags.render(...)``, ``expr.evaluate(...)``):

* ``tags``: ``{{ name }}`` and ``{{= expr }}`` template tags: finding and rendering them;
* ``expr``: expr-lang, the language of ``{{= }}``, ``valueFrom.expression``, hook and
  ``retryStrategy`` expressions (parser in ``lexer``/``parser``/``nodes``, evaluator in
  ``evaluator``/``runtime``/``functions``; Argo's additions in ``argo``, ``sprig``,
  ``jsonpath``);
* ``govaluate``: the language of ``when`` (after substitution);
* ``depends``: DAG ``depends``/``dependencies``.

Every error any of them raises on purpose is ``kawa.spec.errors.ExpressionError``.
"""
