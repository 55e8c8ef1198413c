// name: watch_changes
// title: What changed on the watchlist
// description: >
//   The checks of `graphinv watch run` (Observations with source 'watch') that saw a
//   change: taken down, moved, back, content changed, unreachable, status changed
//   (not 'unchanged' or 'first_check'), newest first, with the HTTP status, the final
//   URL after redirects, the detail, and the WARC record that holds the response
//   (file, offset, sha256). For a move, `successor` is the Site the final URL is on.
// parameters:
//   since: {type: time, default: 0, description: "only checks at or after this time"}
// writes: false
MATCH (o:Observation)-[:OBSERVED]->(e)
WHERE o.source = 'watch' AND o.observed_at >= $since
  AND NOT coalesce(o.change, 'unchanged') IN ['unchanged', 'first_check']
OPTIONAL MATCH (u:Url)-[:ON_SITE]->(s:Site)
WHERE o.status = 'moved' AND u.uid = 'url:' + o.final_url
RETURN o.uid AS uid, e.uid AS entity, coalesce(e.handle, e.url, e.domain, e.uid) AS name,
       o.observed_at AS observed_at, o.status AS status, o.change AS change, o.http_status AS http_status,
       o.final_url AS final_url, o.detail AS detail, o.warc_file AS warc_file, o.warc_offset AS warc_offset,
       o.content_sha256 AS content_sha256, s.uid AS successor, s.domain AS successor_name
ORDER BY observed_at DESC, entity, uid
