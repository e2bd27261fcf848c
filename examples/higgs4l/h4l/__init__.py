"""The analysis behind kawa's flagship example: an H->ZZ->4l-style selection in miniature.

Modules: ``selection`` (cuts and pairing, pure awkward), ``histograms`` (integer counts,
exact merge, checksum), ``samples`` (files and chunks), ``partials`` (one chunk's result and
the merge), ``report`` (summary and figure), ``cli`` (the workflow's steps).
"""
