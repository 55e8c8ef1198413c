"""One module per page; each has ``PATH``, ``TITLE``, ``layout(ctx, params)`` and, when
the page has callbacks, ``register(app, ctx)``."""
