"""``python -m kawa``: the ``kawa`` command."""

if __name__ == "__main__":
    from kawa.cli.entry import entry

    entry()
