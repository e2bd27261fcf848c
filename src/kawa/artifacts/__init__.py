"""Artifact repositories on fsspec: where artifacts live, how they are packed, digests.

``repository`` opens a repository from its configuration (kawa's local directory by
default, S3-compatible through s3fs, anything fsspec knows by configuration); ``archive``
packs and unpacks as Argo does (tar+gzip by default, reproducibly); ``transfer`` saves a
step's output to a key and loads a key into a step's input path, with digests.
"""
