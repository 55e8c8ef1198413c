"""The web formats graphinv reads and writes, shared by the web collector and live capture.

- :mod:`graphinv.web.html`: decode the bytes of a page, parse it, extract its title,
  text, links, images and identifiers;
- :mod:`graphinv.web.warc`: read WARC / WARC.gz files record by record, with the payload
  hashed and bounded and a damaged or cut-off file reported as a Reject;
- :mod:`graphinv.web.outcome`: graphinv's own ``metadata`` records (the outcome of a
  fetch or a watch check): their fields, written by capture and read by the collector,
  and the Observation status of an HTTP status.

Low layer: these modules import only ``graphinv.records``, ``graphinv.normalize``,
``graphinv.fingerprint`` and ``graphinv.vocabulary``, so collectors and capture both
build on them. warcio and selectolax are imported where they are used, keeping
``import graphinv.web`` light.
"""
