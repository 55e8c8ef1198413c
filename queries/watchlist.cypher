// name: watchlist
// title: The watchlist and the last check of each entry
// description: >
//   One row per Watch (added by `graphinv watch add`): the watched entity, its name
//   (handle, URL or domain when the entity is known), the URL checked, when it was
//   added and why, and its latest `graphinv watch run` check (source 'watch'): when,
//   the status and change seen, the HTTP status, the final URL after redirects and
//   the detail (e.g. a DNS error); the number of checks so far; and, when the last
//   check saw a move, the Site the final URL is on. Ordered by entity.
// parameters:
//   active_only: {type: bool, default: false, description: "only the watches that are still active"}
// writes: false
MATCH (w:Watch)
WHERE $active_only = false OR coalesce(w.active, true) = true
OPTIONAL MATCH (w)-[:WATCHES]->(e)
OPTIONAL MATCH (o:Observation)-[:OBSERVED]->(e)
WHERE o.source = 'watch'
WITH w, e, max(o.observed_at) AS last_checked, count(o) AS checks
OPTIONAL MATCH (last:Observation)-[:OBSERVED]->(e)
WHERE last.source = 'watch' AND last.observed_at = last_checked
OPTIONAL MATCH (u:Url)-[:ON_SITE]->(s:Site)
WHERE last.status = 'moved' AND u.uid = 'url:' + last.final_url
RETURN w.uid AS watch, w.entity AS entity, coalesce(e.handle, e.url, e.domain, w.entity) AS name, w.url AS url,
       w.added_at AS added_at, w.note AS note, w.active AS active, last_checked, last.status AS last_status,
       last.change AS last_change, last.http_status AS last_http_status, last.final_url AS last_final_url,
       last.detail AS last_detail, checks, s.uid AS successor, s.domain AS successor_name
ORDER BY entity, watch
