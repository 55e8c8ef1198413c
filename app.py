"""The Dash app entry: `python app.py [--store URI] [--host H] [--port P]` serves it
(the same as `graphinv app`); `from app import create_app` builds it for a WSGI server."""

from graphinv.app import create_app  # noqa: F401  (the importable entry)

if __name__ == "__main__":
    from graphinv.cli import main
    import graphinv.commands.app  # noqa: F401  (registers `app` on the group if the lead has not yet)

    main(["app", *__import__("sys").argv[1:]], prog_name="graphinv")
