"""Live capture: fetch pages into WARC files (``collect web``), re-check a watchlist
(``watch run``), and list the evidence the store holds for an entity (``evidence``).

Everything fetched is written as WARC by :mod:`.warc` and then read into the store by
the web collector, like any other capture, so a finding always points at bytes in a
file: :mod:`.fetch` is the HTTP client, :mod:`.crawl` the crawler, :mod:`.watch` the
watchlist, :mod:`.evidence` the listing and re-check of stored evidence.
"""
