"""One exception base for the library; the CLI turns it into one line and exit 1."""


class GraphinvError(Exception):
    """Base of every error graphinv raises on purpose."""


class StoreError(GraphinvError):
    """The store could not be opened, or refused a query."""


class ReadOnlyError(StoreError):
    """A query that writes was sent where only reads are allowed."""


class InputError(GraphinvError):
    """An input file or argument could not be used."""
